package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.BgpDecodeException;
import io.ledgerlb.speaker.bgp.fsm.BgpConnection;
import io.ledgerlb.speaker.bgp.NextHops;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A BGP connection over a TCP socket: a reader thread frames messages; a writer thread writes
 * what {@link #send} queued, so the FSM's thread never waits on a peer that does not read.
 */
final class SocketConnection implements BgpConnection {
    /** How long a closed connection still tries to get its last messages (a NOTIFICATION) out. */
    static final Duration LINGER = Duration.ofSeconds(10);
    private static final int BATCH_BYTES = 64 * 1024;
    /**
     * The socket's send buffer (Linux doubles it). Left to autotuning it grows to 4 MB on a peer
     * that stops reading, and 4 MB of UPDATEs (50,000 prefixes and more) would be stale by the
     * time they are read; bounded, the rest waits as RIB-out changes and coalesces. 64 KB a
     * round trip is still 60 MB/s at 1 ms.
     */
    static final int SEND_BUFFER_BYTES = 32 * 1024;
    private static final ScheduledExecutorService LINGER_TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bgp-linger");
        t.setDaemon(true);
        return t;
    });

    /** Where the threads deliver what happens (the session forwards it to the FSM's thread). */
    interface Sink {
        void message(SocketConnection connection, byte[] message);

        void framingError(SocketConnection connection, BgpDecodeException error);

        void closed(SocketConnection connection, String reason);

        /** The send queue drained after a congestion: UPDATEs may flow again. */
        void writable(SocketConnection connection);
    }

    private final Socket socket;
    private final boolean inbound;
    private final NextHops nextHops;
    private final OutboundQueue queue;

    /** @param queuedChange told of every change of the bytes waiting to be written */
    SocketConnection(Socket socket, boolean inbound, LongConsumer queuedChange) throws IOException {
        this.socket = socket;
        this.inbound = inbound;
        socket.setTcpNoDelay(true);
        socket.setSendBufferSize(SEND_BUFFER_BYTES);
        this.nextHops = NextHops.ofInterfaceWith(socket.getLocalAddress());
        this.queue = new OutboundQueue(queuedChange);
    }

    @Override
    public boolean inbound() {
        return inbound;
    }

    @Override
    public NextHops nextHops() {
        return nextHops;
    }

    @Override
    public boolean writable() {
        return queue.writable();
    }

    InetAddress remoteAddress() {
        return socket.getInetAddress();
    }

    /** Starts the reader and the writer (messages sent before go out first). */
    void start(String threadName, Sink sink) {
        Thread reader = new Thread(() -> read(sink), "bgp-read-" + threadName);
        reader.setDaemon(true);
        reader.start();
        Thread writer = new Thread(() -> write(sink), "bgp-write-" + threadName);
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues the messages, in order (KEEPALIVE and NOTIFICATION may overtake UPDATEs); never blocks. */
    void send(List<byte[]> messages) {
        messages.forEach(queue::add);
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
            sink.closed(this, reason(e));
        }
    }

    private void write(Sink sink) {
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                List<byte[]> batch = queue.take(BATCH_BYTES);
                if (batch.isEmpty()) {
                    break; // finished, and the NOTIFICATION (if any) is out
                }
                int size = 0;
                for (byte[] m : batch) {
                    out.write(m);
                    size += m.length;
                }
                out.flush();
                if (queue.written(size)) {
                    sink.writable(this);
                }
            }
        } catch (IOException e) {
            sink.closed(this, "write failed: " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeNow();
    }

    /**
     * Closes once the queued NOTIFICATION (if any) is written, or after {@link #LINGER} when the
     * peer does not read; queued UPDATEs are dropped.
     */
    void close() {
        queue.finish();
        LINGER_TIMER.schedule(this::closeNow, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void closeNow() {
        queue.discard();
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
