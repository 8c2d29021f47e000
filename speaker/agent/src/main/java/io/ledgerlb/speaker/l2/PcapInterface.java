package io.ledgerlb.speaker.l2;

import java.util.function.Consumer;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapHandle.PcapDirection;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One network interface opened with pcap: receives ARP requests and neighbour solicitations
 * (kernel BPF filter, incoming only) on a thread of its own and sends frames. Immediate mode is
 * essential: without it libpcap buffers frames and replies take 8–600 ms.
 *
 * <p>Promiscuous mode, because neighbour solicitations go to the solicited-node multicast group
 * of the service IP, which the kernel has not joined (the IP is not configured on the node).
 */
public final class PcapInterface implements L2Announcer.Link, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PcapInterface.class);
    /** ARP requests, and ICMPv6 neighbour solicitations without extension headers. */
    static final String FILTER = "(arp and arp[6:2] = 1) or (icmp6 and ip6[40] = 135)";

    private final PcapHandle handle;
    private final InterfaceIdentity identity;
    private volatile Thread thread;
    private volatile Consumer<byte[]> frames;

    private PcapInterface(PcapHandle handle, InterfaceIdentity identity) {
        this.handle = handle;
        this.identity = identity;
    }

    public static PcapInterface open(String name) throws PcapNativeException, NotOpenException {
        PcapNetworkInterface nif = Pcaps.getDevByName(name);
        if (nif == null) {
            throw new PcapNativeException("no interface named " + name);
        }
        if (nif.getLinkLayerAddresses().isEmpty()) {
            throw new PcapNativeException("interface " + name + " has no MAC address");
        }
        MacAddress mac = MacAddress.of(nif.getLinkLayerAddresses().get(0).getAddress());
        PcapHandle handle = new PcapHandle.Builder(name)
                .snaplen(256)
                .promiscuousMode(PromiscuousMode.PROMISCUOUS)
                .timeoutMillis(100)
                .immediateMode(true)
                .build();
        try {
            handle.setFilter(FILTER, BpfCompileMode.OPTIMIZE);
            handle.setDirection(PcapDirection.IN);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw e;
        }
        return new PcapInterface(handle, new InterfaceIdentity(name, mac));
    }

    @Override
    public InterfaceIdentity identity() {
        return identity;
    }

    /** Hands each captured frame to {@code frames}, on a thread named after the interface. */
    public void start(Consumer<byte[]> frames) {
        this.frames = frames;
        thread = new Thread(() -> {
            try {
                handle.loop(-1, frames::accept);
            } catch (InterruptedException e) {
                // breakLoop: closing
            } catch (PcapNativeException | NotOpenException e) {
                if (handle.isOpen()) {
                    log.error("capture on {} stopped", identity.name(), e);
                }
            }
        }, "pcap-" + identity.name());
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the capture thread runs (false once it stopped on an error, or before {@link #start}). */
    public boolean capturing() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** Starts capturing again on the same handle after the thread stopped; fails when the handle is closed. */
    public synchronized void restart() {
        if (!handle.isOpen()) {
            throw new IllegalStateException("the pcap handle of " + identity.name() + " is closed");
        }
        if (!capturing()) {
            start(frames);
        }
    }

    @Override
    public void send(byte[] frame) {
        try {
            handle.sendPacket(frame);
        } catch (PcapNativeException | NotOpenException e) {
            log.warn("could not send a frame on {}: {}", identity.name(), e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            handle.breakLoop();
        } catch (NotOpenException e) {
            // already closed
        }
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handle.close();
    }
}
