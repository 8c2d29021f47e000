package io.ledgerlb.speaker.members;

import io.ledgerlb.net.InvalidAddressException;
import io.ledgerlb.net.IpAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The one message of the membership protocol: the sender's view of the live speakers, itself
 * first. Layout: magic "LLBm", version 1, entry count, then per entry name, host, port,
 * incarnation, heartbeat, leaving.
 */
final class GossipCodec {
    static final int MAGIC = 0x4C4C426D;
    static final int VERSION = 1;
    /** Keeps a message in one unfragmented-enough UDP datagram; larger clusters send the rest next round. */
    static final int MAX_BYTES = 60_000;

    private GossipCodec() {}

    /** Encodes as many entries as fit in {@link #MAX_BYTES}, in order (the sender first). */
    static byte[] encode(List<MemberState> members) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * members.size());
        int count = 0;
        try {
            for (MemberState m : members) {
                byte[] entry = entry(m);
                if (body.size() + entry.length > MAX_BYTES || count == 0xFFFF) {
                    break;
                }
                body.write(entry);
                count++;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.size() + 7);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeShort(count);
            body.writeTo(out);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] entry(MemberState m) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF(m.name());
        out.writeUTF(m.address().getAddress().getHostAddress());
        out.writeShort(m.address().getPort());
        out.writeLong(m.incarnation());
        out.writeLong(m.heartbeat());
        out.writeBoolean(m.leaving());
        return bytes.toByteArray();
    }

    static List<MemberState> decode(byte[] data, int length) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 0, length));
        if (in.readInt() != MAGIC || in.readByte() != VERSION) {
            throw new IOException("not a ledgerlb membership message");
        }
        int count = in.readUnsignedShort();
        List<MemberState> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            String host = in.readUTF();
            InetAddress address;
            try {
                address = IpAddress.parseInet(host);
            } catch (InvalidAddressException e) {
                throw new IOException("member address is not an IP literal: " + host);
            }
            int port = in.readUnsignedShort();
            members.add(new MemberState(name, new InetSocketAddress(address, port),
                    in.readLong(), in.readLong(), in.readBoolean()));
        }
        return members;
    }
}
