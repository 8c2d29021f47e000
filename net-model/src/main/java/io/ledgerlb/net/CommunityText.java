package io.ledgerlb.net;

/** The text of a community: numbers separated by ':', each in decimal digits only. */
final class CommunityText {

    private CommunityText() {
    }

    /** The {@code count} numbers of {@code text}, or null if it is not {@code count} numbers of at most {@code max}. */
    static long[] parts(String text, int count, long max) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split(":", -1);
        if (parts.length != count) {
            return null;
        }
        long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            if (!parts[i].matches("\\d{1,10}")) {
                return null;
            }
            values[i] = Long.parseLong(parts[i]);
            if (values[i] > max) {
                return null;
            }
        }
        return values;
    }
}
