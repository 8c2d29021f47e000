package io.ledgerlb.speaker.bgp.fsm;

import java.util.List;

/** What the FSM asks of the network. Each call returns at once; results come back as FSM events. */
public interface SessionIo {
    /** Starts one outbound connection attempt: {@link BgpFsm#connected} or {@link BgpFsm#connectFailed} follows. */
    void connect();

    /** Writes encoded messages, in order. */
    void send(BgpConnection connection, List<byte[]> messages);

    /** Closes the connection; {@link BgpFsm#closed} may follow and is then ignored. */
    void close(BgpConnection connection);
}
