package dev.errand.local.logs;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The local console's human lines: one per attempt, per job that changes state without a call (deferred,
 * skipped, dead-lettered), per API request, and a short form of anything else a function logs. The JSON
 * lines they come from stay the functions' own (what Lambda logs on AWS).
 */
final class HumanLines {

    /** An error text is cut here on the console; the JSON line has the first 1 KiB. */
    static final int ERROR_WIDTH = 100;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** Fields the generic line leaves out: its header already says them. */
    private static final Set<String> SHOWN = Set.of("timestamp", "level", "message");

    private final ZoneId zone;

    HumanLines(ZoneId zone) {
        this.zone = zone;
    }

    /** A function's JSON log line as a human line; EMF lines have none (they are metrics). */
    Optional<String> of(String function, Map<String, Object> line) {
        if (Emf.isEmf(line)) {
            return Optional.empty();
        }
        String time = time(line.get("timestamp"));
        String message = text(line.get("message"));
        return Optional.of(switch (message) {
            case "attempt" -> time + "  " + job(line) + "  attempt " + text(line.get("attempt")) + "  " + attempt(line);
            case "not attempted" -> time + "  " + job(line) + "  not called: " + text(line.get("outcome")) + ", " + text(line.get("reason"));
            case "dead-lettered" -> time + "  " + job(line) + "  dead-lettered after " + text(line.get("attempts")) + " attempts: "
                    + cut(text(line.get("reason")));
            default -> time + "  [" + function + "] " + (line.containsKey("level") && !"INFO".equals(line.get("level")) ? line.get("level") + " " : "")
                    + message + fields(line);
        });
    }

    /** One API request, from the variables its access log entry is made of. */
    String request(Map<String, String> context) {
        String time = context.containsKey("requestTimeEpoch")
                ? TIME.format(Instant.ofEpochMilli(Long.parseLong(context.get("requestTimeEpoch"))).atZone(zone)) : "--:--:--";
        return time + "  api  " + context.getOrDefault("httpMethod", "?") + " " + context.getOrDefault("path", "?") + " -> "
                + context.getOrDefault("status", "?") + " (" + context.getOrDefault("responseLatency", "?") + " ms)";
    }

    private static String attempt(Map<String, Object> line) {
        String outcome = text(line.get("outcome"));
        String status = line.containsKey("status") ? "HTTP " + text(line.get("status")) : "no answer";
        String latency = line.containsKey("latencyMs") ? " in " + text(line.get("latencyMs")) + " ms" : "";
        return switch (outcome) {
            case "delivered" -> "-> delivered, " + status + latency;
            case "retry" -> "-> retry in " + text(line.get("retryInSeconds")) + " s, " + status + latency + error(line);
            case "rejected" -> "-> to the dead-letter queue, " + status + latency + error(line);
            default -> "-> " + outcome + ", " + status + latency + error(line);
        };
    }

    private static String job(Map<String, Object> line) {
        return String.format("%-10s job %s", text(line.getOrDefault("target", "")), text(line.getOrDefault("jobId", "")));
    }

    private static String error(Map<String, Object> line) {
        return line.containsKey("error") ? ": " + cut(text(line.get("error"))) : "";
    }

    private static String fields(Map<String, Object> line) {
        StringBuilder out = new StringBuilder();
        line.forEach((key, value) -> {
            if (!SHOWN.contains(key)) {
                out.append("  ").append(key).append('=').append(value instanceof List<?> || value instanceof Map<?, ?> ? value : cut(text(value)));
            }
        });
        return out.toString();
    }

    private String time(Object timestamp) {
        try {
            return TIME.format(Instant.parse(text(timestamp)).atZone(zone));
        } catch (DateTimeParseException e) {
            return "--:--:--";
        }
    }

    private static String cut(String text) {
        String one = text.replace('\n', ' ');
        return one.length() <= ERROR_WIDTH ? one : one.substring(0, ERROR_WIDTH - 3) + "...";
    }

    private static String text(Object value) {
        return value instanceof Double d && d == Math.rint(d) ? String.valueOf(d.longValue())
                : value instanceof java.math.BigDecimal b && b.stripTrailingZeros().scale() <= 0 ? b.toBigInteger().toString()
                : String.valueOf(value);
    }
}
