package dev.errand.core.log;

import dev.errand.core.json.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structured logs: one JSON object per line, {@code {"timestamp","level","message",...fields}}, the shape
 * Lambda's JSON log format and CloudWatch Logs Insights read. Callers pass no payloads and no secrets.
 */
public final class JsonLog {

    public enum Level { DEBUG, INFO, WARN, ERROR }

    private final PrintStream out;
    private final Clock clock;

    public JsonLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    public void info(String message, Map<String, ?> fields) {
        log(Level.INFO, message, fields);
    }

    public void warn(String message, Map<String, ?> fields) {
        log(Level.WARN, message, fields);
    }

    public void error(String message, Map<String, ?> fields) {
        log(Level.ERROR, message, fields);
    }

    public void log(Level level, String message, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", clock.instant().toString());
        line.put("level", level.name());
        line.put("message", message);
        line.putAll(fields);
        // one println per line: PrintStream locks per call, so lines from many threads never interleave
        out.println(Json.write(line));
    }
}
