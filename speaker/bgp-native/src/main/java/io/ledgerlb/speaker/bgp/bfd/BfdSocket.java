package io.ledgerlb.speaker.bgp.bfd;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.ledgerlb.net.IpText;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * A dual-stack UDP socket (AF_INET6, IPv4 peers as IPv4-mapped) made through JNA, because BFD needs
 * what Java's DatagramChannel cannot give: the TTL / hop limit of each received packet (GTSM,
 * RFC 5881 §5 and RFC 5883 §2, from {@code IP_RECVTTL} / {@code IPV6_RECVHOPLIMIT} control messages)
 * and a TTL of 255 on the packets sent, to IPv4 and IPv6 peers alike. Linux, 64-bit. A receive
 * waits at most {@link #RECEIVE_TIMEOUT_MS}, so a reader thread sees {@link #close} soon.
 */
final class BfdSocket implements AutoCloseable {
    static final int RECEIVE_TIMEOUT_MS = 200;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int IPPROTO_IP = 0;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IP_TTL = 2;
    private static final int IP_RECVTTL = 12;
    private static final int IPV6_UNICAST_HOPS = 16;
    private static final int IPV6_V6ONLY = 26;
    private static final int IPV6_RECVHOPLIMIT = 51;
    private static final int IPV6_HOPLIMIT = 52;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int EADDRINUSE = 98;
    private static final int SOCKADDR_IN6 = 28;
    /** struct msghdr on LP64: name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad). */
    private static final int MSGHDR = 56;
    private static final int CONTROL = 64;
    private static final int MAX_DATAGRAM = 512;

    private interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

        int bind(int fd, Pointer address, int length) throws LastErrorException;

        long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

        long sendto(int fd, Pointer buffer, long length, int flags, Pointer address, int addressLength) throws LastErrorException;

        int getsockname(int fd, Pointer address, Pointer length) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** One received datagram: from where, with which TTL / hop limit (-1: unknown). */
    record Datagram(InetAddress source, int sourcePort, int ttl, byte[] data) {}

    private final int fd;
    private final Memory message = new Memory(MSGHDR);
    private final Memory name = new Memory(SOCKADDR_IN6);
    private final Memory iov = new Memory(16);
    private final Memory buffer = new Memory(MAX_DATAGRAM);
    private final Memory control = new Memory(CONTROL);
    private final Memory destination = new Memory(SOCKADDR_IN6);
    private volatile boolean closed;

    private BfdSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Binds to {@code port} on every address ({@code ::}, dual-stack), or, with port 0, to a free
     * port in {@code [firstPort, lastPort]}, and sends with TTL / hop limit 255. No SO_REUSEADDR:
     * a second BFD on the host (FRR's bfdd) must be an error here, not a silent split of the packets.
     */
    static BfdSocket open(int port, int firstPort, int lastPort) throws IOException {
        int fd;
        try {
            fd = libc().socket(AF_INET6, SOCK_DGRAM, 0);
        } catch (LastErrorException | LinkageError e) {
            throw new IOException("cannot open a UDP socket for BFD: " + e.getMessage(), e);
        }
        BfdSocket socket = new BfdSocket(fd);
        try {
            socket.option(IPPROTO_IPV6, IPV6_V6ONLY, 0, "IPV6_V6ONLY");
            socket.option(IPPROTO_IP, IP_TTL, 255, "IP_TTL");
            socket.option(IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
            socket.option(IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
            socket.option(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
            Memory timeout = new Memory(16);
            timeout.setLong(0, 0);
            timeout.setLong(8, RECEIVE_TIMEOUT_MS * 1000L);
            socket.option(SOL_SOCKET, SO_RCVTIMEO, timeout, "SO_RCVTIMEO");
            if (port != 0) {
                socket.bind(port);
            } else {
                socket.bindInRange(firstPort, lastPort);
            }
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    int localPort() throws IOException {
        Memory address = new Memory(SOCKADDR_IN6);
        Memory length = new Memory(4);
        length.setInt(0, SOCKADDR_IN6);
        try {
            libc().getsockname(fd, address, length);
        } catch (LastErrorException e) {
            throw new IOException("getsockname: errno " + e.getErrorCode(), e);
        }
        return (address.getByte(2) & 0xFF) << 8 | (address.getByte(3) & 0xFF);
    }

    private void bindInRange(int first, int last) throws IOException {
        int span = last - first + 1;
        int start = java.util.concurrent.ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            try {
                bind(first + (start + i) % span);
                return;
            } catch (IOException e) {
                if (!(e.getCause() instanceof LastErrorException le) || le.getErrorCode() != EADDRINUSE) {
                    throw e;
                }
            }
        }
        throw new IOException("no free UDP port in " + first + "-" + last);
    }

    private void bind(int port) throws IOException {
        Memory address = new Memory(SOCKADDR_IN6);
        address.clear();
        address.setShort(0, (short) AF_INET6);
        address.setByte(2, (byte) (port >> 8));
        address.setByte(3, (byte) port);
        try {
            libc().bind(fd, address, SOCKADDR_IN6);
        } catch (LastErrorException e) {
            throw new IOException("cannot bind UDP port " + port + " for BFD: errno " + e.getErrorCode()
                    + (e.getErrorCode() == EADDRINUSE ? " (in use: another BFD daemon on this host?)" : ""), e);
        }
    }

    /** The next datagram, or empty when none came within {@link #RECEIVE_TIMEOUT_MS} (or the socket is closed). */
    Optional<Datagram> receive() throws IOException {
        if (closed) {
            return Optional.empty();
        }
        message.clear();
        message.setPointer(0, name);
        message.setInt(8, SOCKADDR_IN6);
        iov.setPointer(0, buffer);
        iov.setLong(8, MAX_DATAGRAM);
        message.setPointer(16, iov);
        message.setLong(24, 1);
        message.setPointer(32, control);
        message.setLong(40, CONTROL);
        long size;
        try {
            size = libc().recvmsg(fd, message, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EINTR || closed) {
                return Optional.empty();
            }
            throw new IOException("recvmsg: errno " + e.getErrorCode(), e);
        }
        byte[] data = buffer.getByteArray(0, (int) size);
        int port = (name.getByte(2) & 0xFF) << 8 | (name.getByte(3) & 0xFF);
        return Optional.of(new Datagram(address(name.getByteArray(8, 16)), port, ttl(message.getLong(40)), data));
    }

    /** The TTL or hop limit from the control messages ({@code struct cmsghdr}: len, level, type, data). */
    private int ttl(long controlLength) {
        long offset = 0;
        while (offset + 16 <= controlLength) {
            long length = control.getLong(offset);
            int level = control.getInt(offset + 8);
            int type = control.getInt(offset + 12);
            if (length < 16) {
                break;
            }
            if ((level == IPPROTO_IP && type == IP_TTL) || (level == IPPROTO_IPV6 && type == IPV6_HOPLIMIT)) {
                return control.getInt(offset + 16);
            }
            offset += (length + 7) & ~7L;
        }
        return -1;
    }

    synchronized void send(InetAddress to, int port, byte[] data) throws IOException {
        destination.clear();
        destination.setShort(0, (short) AF_INET6);
        destination.setByte(2, (byte) (port >> 8));
        destination.setByte(3, (byte) port);
        destination.write(8, ipv6(to), 0, 16);
        Memory payload = new Memory(data.length);
        payload.write(0, data, 0, data.length);
        try {
            libc().sendto(fd, payload, data.length, 0, destination, SOCKADDR_IN6);
        } catch (LastErrorException e) {
            throw new IOException("sendto " + IpText.of(to) + ": errno " + e.getErrorCode(), e);
        }
    }

    private void option(int level, int option, int value, String what) throws IOException {
        Memory memory = new Memory(4);
        memory.setInt(0, value);
        option(level, option, memory, what);
    }

    private void option(int level, int option, Memory value, String what) throws IOException {
        try {
            libc().setsockopt(fd, level, option, value, (int) value.size());
        } catch (LastErrorException e) {
            throw new IOException("setsockopt " + what + " failed: errno " + e.getErrorCode(), e);
        }
    }

    /** The address as the socket (AF_INET6) takes it: IPv4 as ::ffff:a.b.c.d. */
    private static byte[] ipv6(InetAddress address) {
        return address instanceof Inet4Address
                ? ByteBuffer.allocate(16).putLong(0).putShort((short) 0).putShort((short) 0xFFFF).put(address.getAddress()).array()
                : address.getAddress();
    }

    /** An IPv4-mapped address as the IPv4 address it stands for. */
    private static InetAddress address(byte[] sixteen) {
        try {
            boolean mapped = sixteen[10] == (byte) 0xff && sixteen[11] == (byte) 0xff
                    && Arrays.equals(Arrays.copyOf(sixteen, 10), new byte[10]);
            return InetAddress.getByAddress(mapped ? Arrays.copyOfRange(sixteen, 12, 16) : sixteen);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }

    private static LibC libc() {
        return Loaded.LIBC;
    }

    /** Loads libc on first use (holder idiom), so that merely loading this class needs no JNA. */
    private static final class Loaded {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                libc().close(fd);
            } catch (LastErrorException ignored) {
                // closing anyway
            }
        }
    }
}
