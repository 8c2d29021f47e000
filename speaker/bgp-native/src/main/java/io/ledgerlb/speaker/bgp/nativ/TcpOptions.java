package io.ledgerlb.speaker.bgp.nativ;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.Channel;
import java.nio.charset.StandardCharsets;

/**
 * The two socket options a BGP speaker needs that Java does not offer: TCP MD5 signatures
 * (RFC 2385, Linux {@code TCP_MD5SIG}) and the IP TTL / IPv6 hop limit, set with {@code setsockopt}
 * through JNA on the channel's file descriptor.
 *
 * <p>The descriptor is read from the JDK's channel classes (see {@link #fd}). Chosen over Netty's epoll transport (a second I/O model next to the blocking
 * sockets the session uses) and over sockets created and read entirely through JNA (all of the
 * socket I/O reimplemented): only these two calls go native.
 */
final class TcpOptions {
    private static final int IPPROTO_IP = 0;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IP_TTL = 2;
    private static final int IPV6_UNICAST_HOPS = 16;
    private static final int IP_MINTTL = 21;
    private static final int IPV6_MINHOPCOUNT = 73;
    private static final int TCP_MD5SIG = 14;
    private static final int ENOPROTOOPT = 92;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    /** struct tcp_md5sig: sockaddr_storage (128), flags, prefixlen, keylen (u16), ifindex (int), key[80]. */
    private static final int MD5SIG_SIZE = 216;
    private static final int MD5SIG_KEYLEN_OFFSET = 130;
    private static final int MD5SIG_KEY_OFFSET = 136;
    static final int MAX_KEY_LENGTH = 80;

    private interface LibC extends Library {
        int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;
    }

    private static volatile LibC libc;

    private TcpOptions() {
    }

    /** The key bytes of a password, or an error naming what is wrong with it. */
    static byte[] key(String password) {
        byte[] key = password.getBytes(StandardCharsets.UTF_8);
        if (key.length == 0 || key.length > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("a TCP MD5 password must have 1 to " + MAX_KEY_LENGTH
                    + " bytes, this one has " + key.length);
        }
        return key;
    }

    /**
     * Signs (or, with an empty key, stops signing) the segments to and from {@code peer} on this
     * socket; on a listening socket, for the connections it accepts from {@code peer}.
     *
     * @param ipv6Socket whether the socket is AF_INET6 (an IPv4 peer is then given IPv4-mapped)
     */
    static void md5(Channel channel, boolean ipv6Socket, InetAddress peer, byte[] key) throws IOException {
        Memory sig = new Memory(MD5SIG_SIZE);
        sig.clear();
        if (ipv6Socket) {
            sig.setShort(0, (short) AF_INET6);
            sig.write(8, ipv6(peer), 0, 16);
        } else {
            sig.setShort(0, (short) AF_INET);
            sig.write(4, peer.getAddress(), 0, 4);
        }
        sig.setShort(MD5SIG_KEYLEN_OFFSET, (short) key.length);
        sig.write(MD5SIG_KEY_OFFSET, key, 0, key.length);
        setsockopt(channel, IPPROTO_TCP, TCP_MD5SIG, sig, "TCP_MD5SIG");
    }

    /** The TTL (IPv4 peers) or hop limit (IPv6 peers) of the packets this socket sends. */
    static void ttl(Channel channel, InetAddress peer, int ttl) throws IOException {
        if (peer instanceof Inet4Address) {
            setsockopt(channel, IPPROTO_IP, IP_TTL, intValue(ttl), "IP_TTL");
        } else {
            setsockopt(channel, IPPROTO_IPV6, IPV6_UNICAST_HOPS, intValue(ttl), "IPV6_UNICAST_HOPS");
        }
    }

    /**
     * GTSM (RFC 5082): the kernel drops what comes from {@code peer} on this socket with a lower TTL
     * (IPv4) or hop limit (IPv6) than {@code minimum}, SYN-ACKs included when set before connecting.
     */
    static void minimumTtl(Channel channel, InetAddress peer, int minimum) throws IOException {
        if (peer instanceof Inet4Address) {
            setsockopt(channel, IPPROTO_IP, IP_MINTTL, intValue(minimum), "IP_MINTTL");
        } else {
            setsockopt(channel, IPPROTO_IPV6, IPV6_MINHOPCOUNT, intValue(minimum), "IPV6_MINHOPCOUNT");
        }
    }

    private static Memory intValue(int value) {
        Memory memory = new Memory(4);
        memory.setInt(0, value);
        return memory;
    }

    private static byte[] ipv6(InetAddress address) {
        if (address instanceof Inet6Address) {
            return address.getAddress();
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(address.getAddress(), 0, mapped, 12, 4);
        return mapped;
    }

    private static void setsockopt(Channel channel, int level, int name, Memory value, String what) throws IOException {
        try {
            libc().setsockopt(fd(channel), level, name, value, (int) value.size());
        } catch (LastErrorException e) {
            throw new IOException("setsockopt " + what + " failed: errno " + e.getErrorCode()
                    + (e.getErrorCode() == ENOPROTOOPT ? " (this kernel has no TCP MD5 support)" : ""), e);
        } catch (LinkageError e) {
            throw new IOException("setsockopt " + what + " is not available here (Linux only): " + e.getMessage(), e);
        }
    }

    private static LibC libc() {
        LibC c = libc;
        if (c == null) {
            c = Native.load("c", LibC.class);
            libc = c;
        }
        return c;
    }

    /**
     * The file descriptor of a JDK socket channel ({@code SocketChannelImpl}, {@code ServerSocketChannelImpl}
     * keep it in {@code fdVal}). Read through {@code sun.misc.Unsafe} (module jdk.unsupported, open
     * to everyone), so the JVM needs no {@code --add-opens java.base/sun.nio.ch} flag; with that
     * flag given, plain reflection is used.
     */
    private static int fd(Channel channel) throws IOException {
        try {
            Field fdVal = channel.getClass().getDeclaredField("fdVal");
            if (fdVal.trySetAccessible()) {
                return fdVal.getInt(channel);
            }
            Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            sun.misc.Unsafe unsafe = (sun.misc.Unsafe) theUnsafe.get(null);
            @SuppressWarnings("deprecation")
            long offset = unsafe.objectFieldOffset(fdVal);
            return unsafe.getInt(channel, offset);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot reach the file descriptor of " + channel.getClass().getName()
                    + " to set TCP options: " + e, e);
        }
    }
}
