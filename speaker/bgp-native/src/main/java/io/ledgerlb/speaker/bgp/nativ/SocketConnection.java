package io.ledgerlb.speaker.bgp.nativ;

import io.ledgerlb.speaker.bgp.codec.BgpCodec;
import io.ledgerlb.speaker.bgp.codec.BgpDecodeException;
import io.ledgerlb.speaker.bgp.fsm.BgpConnection;
import io.ledgerlb.speaker.bgp.NextHops;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;

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
        this.nextHops = NextHops.ofInterfaceWith(socket.getLocalAddress());
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
}
