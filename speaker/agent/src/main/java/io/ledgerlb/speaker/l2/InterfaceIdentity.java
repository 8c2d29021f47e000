package io.ledgerlb.speaker.l2;

/** What a speaker answers with on one interface: its name and the node's MAC there. */
public record InterfaceIdentity(String name, MacAddress mac) {
}
