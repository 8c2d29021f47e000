package io.ledgerlb.net;

/** An address, CIDR or range that cannot be parsed; the message says what is wrong with it. */
public class InvalidAddressException extends IllegalArgumentException {
    public InvalidAddressException(String message) {
        super(message);
    }
}
