package dev.errand.cli;

import dev.errand.cli.console.Backend;
import dev.errand.cli.console.MetricsReader;
import dev.errand.core.fleet.TargetState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", sortOptions = false, abbreviateSynopsis = true,
        header = "Each configured target's fleet-wide state, rate limit and last hour.",
        description = "One line per target of the targets document: its state (closed, open, half-open, held by the"
                + " provider's Retry-After, or paused), when an open breaker next lets a probe through, its rate limit, and the"
                + " last hour from CloudWatch (namespace Errand; one GetMetricData request on AWS): jobs delivered, retried,"
                + " dead-lettered, and put off without a call (deferred: paused, open, held, over the rate).",
        footer = {"", "Examples:", "  errand targets list --stack errand", "  errand targets list --local --json"})
final class TargetsList extends TargetsCommand {

    @Option(names = "--json", description = "The targets as a JSON array instead of a table, for scripts.")
    boolean json;

    TargetsList(Context context) {
        super(context);
    }

    @Override
    int run(Settings settings) {
        try (TargetControl control = new TargetControl(settings, context.clock())) {
            Backend.Configured configured = configured(control);
            List<String> names = configured.targets().stream().map(Backend.TargetConfig::name).sorted().toList();
            Optional<Map<String, TargetState>> states = states(control, names);
            if (states.isEmpty()) {
                return Errand.FAILED;
            }
            MetricsReader.Figures figures = lastHour(settings, names);
            Instant now = context.clock().instant();
            List<Map<String, Object>> rows = new ArrayList<>();
            Table table = new Table(List.of("TARGET", "STATE", "NEXT PROBE", "RATE", "DELIVERED", "RETRIED", "DEAD", "DEFERRED", "WHY"));
            for (Backend.TargetConfig t : configured.targets().stream().sorted(java.util.Comparator.comparing(Backend.TargetConfig::name)).toList()) {
                TargetState s = states.get().get(t.name());
                Optional<MetricsReader.TargetFigures> f = Optional.ofNullable(figures.byTarget().get(t.name()));
                Map<String, String> details = TargetControl.details(s, t.rate(), now);
                rows.add(TargetsShow.json(t, details, f));
                table.add(List.of(t.name(), details.get("state"), TargetControl.nextProbe(s, now), details.get("rate"),
                        count(f, MetricsReader.TargetFigures::delivered), count(f, MetricsReader.TargetFigures::retried),
                        count(f, MetricsReader.TargetFigures::deadLettered), count(f, MetricsReader.TargetFigures::deferred), why(details)));
            }
            if (json) {
                out().println(PrettyJson.tree(rows));
            } else if (rows.isEmpty()) {
                out().println("No target is configured in the " + configured.source() + ".");
            } else {
                table.print(out());
                out().println();
                out().println("Last hour from CloudWatch (namespace Errand)" + figures.problem().map(p -> ": " + p).orElse(".")
                        + " Pause one: errand targets pause NAME --reason TEXT.");
            }
            out().flush();
            return Errand.OK;
        }
    }

    /** Why the target does not take calls now, in one short line; "-" when it does. */
    private static String why(Map<String, String> d) {
        return switch (d.get("state")) {
            case "paused" -> "by " + d.get("paused by") + ", until " + d.get("paused until") + ": " + Table.cut(d.get("pause reason"), 60);
            case "held" -> Table.cut(d.get("hold reason"), 80);
            case "open", "half-open" -> d.get("failures in a row") + " retryable failures in a row";
            default -> "-";
        };
    }

    private static String count(Optional<MetricsReader.TargetFigures> f, java.util.function.ToLongFunction<MetricsReader.TargetFigures> what) {
        return Long.toString(f.map(what::applyAsLong).orElse(0L));
    }
}
