package dev.errand.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code key=value} arguments, as the orchestrator passes them to each child JVM. */
public record Args(Map<String, String> values) {

    public Args {
        values = Map.copyOf(values);
    }

    public static Args parse(String[] argv) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("arguments are key=value, got '" + a + "'");
            }
            values.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return new Args(values);
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return v;
    }

    public int integer(String key) {
        return Integer.parseInt(get(key));
    }

    /** In a stable order, for printing. */
    public Map<String, String> all() {
        return new java.util.TreeMap<>(values);
    }
}
