package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.net.IpPrefix;
import io.ledgerlb.speaker.bgp.codec.AddressFamily;
import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.BgpDecodeException;
import io.ledgerlb.speaker.bgp.codec.BgpMessage;
import io.ledgerlb.speaker.bgp.codec.Capability;
import io.ledgerlb.speaker.bgp.codec.KeepaliveMessage;
import io.ledgerlb.speaker.bgp.codec.OpenMessage;
import io.ledgerlb.speaker.bgp.codec.PathAttribute;
import io.ledgerlb.speaker.bgp.codec.UpdateMessage;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BGP peer written for tests, on a loopback socket with a small receive buffer: it completes
 * the OPEN exchange, then reads only when the test says so, keeping the routes it is sent.
 */
final class LoopbackPeer implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final long as;
    private final int holdSeconds;
    private final ServerSocket server;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;
    private Thread keepalives;
    /** The routes held: prefix → its path attributes. */
    final Map<IpPrefix, List<PathAttribute>> routes = new HashMap<>();
    /** How many times each prefix was announced. */
    final Map<IpPrefix, Integer> announcements = new HashMap<>();
    int endOfRibs;

    LoopbackPeer(long as, int holdSeconds) throws IOException {
        this.as = as;
        this.holdSeconds = holdSeconds;
        server = new ServerSocket();
        server.setReceiveBufferSize(4096); // inherited by the accepted socket: the window fills fast
        server.bind(new InetSocketAddress(LOOPBACK, 0));
    }

    int port() {
        return server.getLocalPort();
    }

    /** Accepts the speaker's connection and completes OPEN/KEEPALIVE. */
    void establish() throws IOException {
        socket = server.accept();
        socket.setSoTimeout((int) Duration.ofSeconds(90).toMillis()); // a read that never ends fails the test
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (!(read() instanceof OpenMessage)) {
            throw new IOException("expected OPEN");
        }
        send(OpenMessage.of(as, holdSeconds, (Inet4Address) InetAddress.getByName("10.99.255.1"),
                List.of(new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST), new Capability.FourOctetAs(as))));
        send(KeepaliveMessage.INSTANCE);
        while (!(read() instanceof KeepaliveMessage)) {
            // the speaker's KEEPALIVE confirms our OPEN
        }
    }

    /** Sends a KEEPALIVE every {@code interval} from a thread of its own, reading or not. */
    void keepSendingKeepalives(Duration interval) {
        keepalives = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    send(KeepaliveMessage.INSTANCE);
                    Thread.sleep(interval.toMillis());
                }
            } catch (IOException | InterruptedException e) {
                // the test is over or the session is
            }
        }, "loopback-peer-keepalive");
        keepalives.setDaemon(true);
        keepalives.start();
    }

    synchronized void send(BgpMessage message) throws IOException {
        out.write(BgpCodec.encode(message, true));
        out.flush();
    }

    /** The next message; UPDATEs are applied to {@link #routes}. Throws EOFException at the end of the stream. */
    BgpMessage read() throws IOException {
        byte[] header = new byte[BgpCodec.HEADER_LENGTH];
        in.readFully(header);
        try {
            byte[] message = new byte[BgpCodec.messageLength(header)];
            System.arraycopy(header, 0, message, 0, header.length);
            in.readFully(message, header.length, message.length - header.length);
            return applied(BgpCodec.decode(message, true));
        } catch (BgpDecodeException e) {
            throw new IOException("the speaker sent a malformed message: " + e.getMessage(), e);
        }
    }

    private BgpMessage applied(BgpMessage decoded) {
        if (decoded instanceof UpdateMessage update) {
            apply(update);
        }
        return decoded;
    }

    /** Reads and returns every message up to the end of the stream. */
    List<BgpMessage> readToEnd() throws IOException {
        List<BgpMessage> all = new java.util.ArrayList<>();
        try {
            while (true) {
                all.add(read());
            }
        } catch (EOFException | java.net.SocketException end) {
            return all;
        }
    }

    private void apply(UpdateMessage update) {
        if (update.endOfRibFamily().isPresent()) {
            endOfRibs++;
            return;
        }
        update.withdrawn().forEach(routes::remove);
        for (IpPrefix prefix : update.nlri()) {
            routes.put(prefix, update.attributes());
            announcements.merge(prefix, 1, Integer::sum);
        }
    }

    @Override
    public void close() throws IOException {
        if (keepalives != null) {
            keepalives.interrupt();
        }
        if (socket != null) {
            socket.close();
        }
        server.close();
    }
}
