package dev.errand.core.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one JSON codec. Reads JSON text into plain trees (Map, List, String, Number, Boolean, null) and
 * writes such trees back; numbers keep their precision (BigDecimal), duplicate keys are malformed.
 */
public final class Json {

    /** Nesting deeper than this is refused: no real payload needs it, and it bounds recursion on hostile input. */
    public static final int MAX_NESTING_DEPTH = 100;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final JSON JR = JSON.builder(FACTORY)
            .enable(JSON.Feature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JSON.Feature.USE_DEFERRED_MAPS)
            .enable(JSON.Feature.WRITE_NULL_PROPERTIES)
            .build();

    private Json() {}

    /** The result of reading JSON text: a tree, or why the text is not JSON. */
    public sealed interface Parsed {
        /** {@code value} is a tree; JSON {@code null} reads as Java null. */
        record Value(Object value) implements Parsed {}

        record Malformed(String detail) implements Parsed {}
    }

    public static Parsed parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                return new Parsed.Malformed("the document is empty");
            }
            Object value = JR.anyFrom(parser);
            if (parser.nextToken() != null) {
                return new Parsed.Malformed("unexpected content after the JSON value at " + where(parser.currentLocation()));
            }
            return new Parsed.Value(value);
        } catch (JacksonException e) {
            return new Parsed.Malformed(inOurWords(e.getOriginalMessage()) + " at " + where(e.getLocation()));
        } catch (IOException e) {
            return new Parsed.Malformed(e.getMessage());
        }
    }

    /** Writes a tree made of Map, List, String, Number, Boolean and null. */
    public static String write(Object tree) {
        try {
            return JR.asString(tree);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON tree: " + e.getMessage(), e);
        }
    }

    /** A streaming writer for documents that embed JSON text already known to be valid. */
    public static JsonGenerator generator(StringWriter out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same JSON with object keys sorted at every level: two texts that mean the same read the same. */
    public static String canonical(String json) {
        return switch (parse(json)) {
            case Parsed.Value v -> write(sorted(v.value()));
            case Parsed.Malformed m -> json;
        };
    }

    private static Object sorted(Object node) {
        return switch (node) {
            case Map<?, ?> map -> {
                java.util.TreeMap<String, Object> out = new java.util.TreeMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
                yield out;
            }
            case List<?> list -> list.stream().map(Json::sorted).toList();
            case null, default -> node;
        };
    }

    /** The JSON type of a tree node, as named in error messages. */
    public static String typeName(Object node) {
        return switch (node) {
            case null -> "null";
            case String s -> "string";
            case Boolean b -> "boolean";
            case Number n -> "number";
            case Map<?, ?> m -> "object";
            case List<?> l -> "array";
            default -> node.getClass().getSimpleName();
        };
    }

    /** A whole number that fits a long, or empty: 5.0 and "5" are not integers. */
    public static OptionalLong integer(Object node) {
        return switch (node) {
            case Integer i -> OptionalLong.of(i);
            case Long l -> OptionalLong.of(l);
            case Short s -> OptionalLong.of(s);
            case BigInteger b when b.bitLength() < 64 -> OptionalLong.of(b.longValue());
            case null, default -> OptionalLong.empty();
        };
    }

    /** Jackson's message for an unclosed object or array, which names its start by way of parser internals. */
    private static final Pattern UNCLOSED = Pattern.compile(
            "Unexpected end-of-input: expected close marker for (Object|Array) \\(start marker at \\[.*?line: (\\d+), column: (\\d+)]\\)");
    /** Any other mention of the parser's input source, which says nothing to a client. */
    private static final Pattern SOURCE = Pattern.compile("\\s*\\[Source: .*?]");

    /** The parser's message without its internals: what is wrong, and where, in a client's terms. */
    static String inOurWords(String message) {
        Matcher unclosed = UNCLOSED.matcher(message);
        if (unclosed.find()) {
            return "the " + unclosed.group(1).toLowerCase(java.util.Locale.ROOT) + " opened at line " + unclosed.group(2)
                    + ", column " + unclosed.group(3) + " is not closed before the text ends";
        }
        return SOURCE.matcher(message).replaceAll("");
    }

    private static String where(JsonLocation location) {
        return location == null ? "an unknown position" : "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
