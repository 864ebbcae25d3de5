package dev.errand.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.errand.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON indented for reading in a terminal; text that is not JSON is shown as it is. */
final class PrettyJson {

    private static final JSON PRETTY = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES);

    private PrettyJson() {}

    static String of(String text) {
        return switch (Json.parse(text)) {
            case Json.Parsed.Value v -> tree(v.value());
            case Json.Parsed.Malformed m -> text;
        };
    }

    /** A tree of Map, List, String, Number, Boolean and null. */
    static String tree(Object tree) {
        try {
            return PRETTY.asString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON tree: " + e.getMessage(), e);
        }
    }
}
