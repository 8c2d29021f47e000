package io.ledgerlb.speaker.bgp.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Reads the JSON the routers' command-line tools print. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** The value of an object's one field ({prefix: ...} answers name the prefix in the tool's own notation); missing: none. */
    static JsonNode onlyValue(JsonNode object) {
        return object.size() == 1 && object.isObject() ? object.elements().next() : MAPPER.missingNode();
    }

    static JsonNode read(String text) {
        try {
            return text.isBlank() ? MAPPER.createObjectNode() : MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }
}
