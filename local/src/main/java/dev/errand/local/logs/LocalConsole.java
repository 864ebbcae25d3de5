package dev.errand.local.logs;

import dev.errand.core.json.Json;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the local runtime prints. By default a readable console: one human line per attempt, per job that
 * changes state without a call, per API request, and the demo provider's lines. With --json-logs, what
 * AWS would write to CloudWatch Logs instead: each function's JSON lines as printed (EMF metrics included)
 * and the API's access log entries in the template's format. Either way EMF lines go to local CloudWatch.
 */
public final class LocalConsole {

    /** How the console prints: readable lines, or what Lambda and API Gateway would log. */
    public enum Format { HUMAN, JSON }

    private final Consumer<String> out;
    private final Format format;
    private final Consumer<Map<String, Object>> metrics;
    private final HumanLines human;

    /** {@code metrics} takes every EMF line the functions print (local CloudWatch, or nothing). */
    public LocalConsole(Consumer<String> out, Format format, Consumer<Map<String, Object>> metrics, ZoneId zone) {
        this.out = out;
        this.format = format;
        this.metrics = metrics;
        this.human = new HumanLines(zone);
    }

    /** The stream a function's handler logs to, as a Lambda function writes to stdout. */
    public PrintStream logsOf(String function) {
        return new PrintStream(new LineSink(line -> functionLine(function, line)), true, StandardCharsets.UTF_8);
    }

    /** One API request: its access log entry (the template's format filled in) and the variables it came from. */
    public void request(Optional<String> entry, Map<String, String> context) {
        out.accept(format == Format.JSON ? entry.orElseGet(() -> Json.write(context)) : human.request(context));
    }

    /** A line of the local runtime's own (the demo provider, the event source), printed in either format. */
    public void say(String line) {
        out.accept(line);
    }

    private void functionLine(String function, String line) {
        Optional<Map<String, Object>> json = object(line);
        json.filter(Emf::isEmf).ifPresent(metrics);
        if (format == Format.JSON) {
            out.accept(line);
            return;
        }
        json.ifPresentOrElse(j -> human.of(function, j).ifPresent(out), () -> out.accept("[" + function + "] " + line));
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> object(String line) {
        return line.startsWith("{") && Json.parse(line) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> m
                ? Optional.of((Map<String, Object>) m) : Optional.empty();
    }
}
