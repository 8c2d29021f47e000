package io.ledgerlb.speaker.netns;

import java.util.HexFormat;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;

/** Sends raw frames (hex) on an interface: {@code FrameSender <interface> <hex> <hex> ...}. Bad input for the speakers. */
public final class FrameSender {
    private FrameSender() {}

    public static void main(String[] args) throws Exception {
        try (PcapHandle handle = new PcapHandle.Builder(args[0]).snaplen(256)
                .promiscuousMode(PromiscuousMode.NONPROMISCUOUS).timeoutMillis(10).immediateMode(true).build()) {
            for (int i = 1; i < args.length; i++) {
                handle.sendPacket(HexFormat.of().parseHex(args[i]));
            }
        }
    }
}
