package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.BgpDecodeException;
import io.ledgerlb.speaker.bgp.fsm.BgpConnection;
import io.ledgerlb.speaker.bgp.fsm.NextHops;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** A BGP connection over a TCP socket: a reader thread frames messages, writes go straight out. */
final class SocketConnection implements BgpConnection {

    /** Where the reader delivers what it reads (the session forwards it to the FSM's thread). */
    interface Sink {
        void message(SocketConnection connection, byte[] message);

        void framingError(SocketConnection connection, BgpDecodeException error);

        void closed(SocketConnection connection, String reason);
    }

    private final Socket socket;
    private final boolean inbound;
    private final NextHops nextHops;
    private final OutputStream out;

    SocketConnection(Socket socket, boolean inbound) throws IOException {
        this.socket = socket;
        this.inbound = inbound;
        socket.setTcpNoDelay(true);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.nextHops = nextHopsFor(socket.getLocalAddress());
    }

    @Override
    public boolean inbound() {
        return inbound;
    }

    @Override
    public NextHops nextHops() {
        return nextHops;
    }

    InetAddress remoteAddress() {
        return socket.getInetAddress();
    }

    void startReading(String threadName, Sink sink) {
        Thread reader = new Thread(() -> read(sink), threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private void read(Sink sink) {
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                byte[] header = in.readNBytes(BgpCodec.HEADER_LENGTH);
                if (header.length < BgpCodec.HEADER_LENGTH) {
                    sink.closed(this, "end of stream");
                    return;
                }
                int length;
                try {
                    length = BgpCodec.messageLength(header);
                } catch (BgpDecodeException e) {
                    sink.framingError(this, e);
                    return;
                }
                byte[] message = new byte[length];
                System.arraycopy(header, 0, message, 0, header.length);
                if (in.readNBytes(message, header.length, length - header.length) < length - header.length) {
                    sink.closed(this, "end of stream inside a message");
                    return;
                }
                sink.message(this, message);
            }
        } catch (IOException e) {
            sink.closed(this, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** Writes the messages and flushes once; false when the socket failed. */
    synchronized boolean write(List<byte[]> messages) {
        try {
            for (byte[] m : messages) {
                out.write(m);
            }
            out.flush();
            return true;
        } catch (IOException e) {
            close();
            return false;
        }
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /**
     * The session's local address is the next hop of its own family. For the other family, an
     * address on the same interface: IPv6 over an IPv4 session takes a global IPv6 address of
     * that interface, else the IPv4-mapped form (::ffff:a.b.c.d) of the local address; IPv4 over
     * an IPv6 session takes an IPv4 address of that interface, else none (IPv4 is not announced).
     */
    static NextHops nextHopsFor(InetAddress local) {
        List<InetAddress> same = List.of();
        try {
            NetworkInterface nif = NetworkInterface.getByInetAddress(local);
            if (nif != null) {
                same = Collections.list(nif.getInetAddresses());
            }
        } catch (SocketException e) {
            // no interface information: fall back below
        }
        Optional<Inet4Address> v4 = local instanceof Inet4Address a ? Optional.of(a)
                : same.stream().filter(Inet4Address.class::isInstance).map(Inet4Address.class::cast).findFirst();
        Optional<InetAddress> v6 = local instanceof Inet6Address ? Optional.of(local)
                : same.stream().filter(a -> a instanceof Inet6Address && !a.isLinkLocalAddress() && !a.isLoopbackAddress())
                        .findFirst().or(() -> Optional.of(ipv4Mapped(local)));
        return new NextHops(v4, v6.map(SocketConnection::withoutScope));
    }

    private static InetAddress ipv4Mapped(InetAddress v4) {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(v4.getAddress(), 0, mapped, 12, 4);
        return withoutScope(mapped);
    }

    private static InetAddress withoutScope(InetAddress address) {
        return withoutScope(address.getAddress());
    }

    private static InetAddress withoutScope(byte[] raw) {
        try {
            return Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
