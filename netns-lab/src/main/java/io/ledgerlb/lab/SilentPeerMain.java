package io.ledgerlb.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A "BGP router" that accepts TCP connections and then neither reads nor writes: a peer that
 * reads nothing. Run it in a namespace: {@code SilentPeerMain ADDRESS PORT}.
 */
public final class SilentPeerMain {
    public static void main(String[] args) throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])));
            System.out.println("silent peer listening on " + server.getLocalSocketAddress());
            while (true) {
                Socket socket = server.accept();
                held.add(socket); // kept open, never read
                System.out.println("accepted " + socket.getRemoteSocketAddress() + ", reading nothing");
            }
        }
    }

    private SilentPeerMain() {}
}
