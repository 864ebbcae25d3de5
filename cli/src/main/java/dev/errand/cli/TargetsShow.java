package dev.errand.cli;

import dev.errand.cli.console.Backend;
import dev.errand.cli.console.MetricsReader;
import dev.errand.core.fleet.TargetState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "show", sortOptions = false, abbreviateSynopsis = true,
        header = "One target in full: its configuration, fleet-wide state, pause, breaker, rate limit and last hour.",
        description = "What the targets document says of the target, and what the target state table holds: the state,"
                + " who paused it, when and why, a hold the provider asked for, the breaker's failures in a row and next probe,"
                + " the tokens in its bucket now; then its last hour from CloudWatch. An unknown name fails with exit code 2.",
        footer = {"", "Examples:", "  errand targets show crm --stack errand", "  errand targets show crm --local --json"})
final class TargetsShow extends TargetsCommand {

    @Parameters(paramLabel = "NAME", description = "The target, as the targets document names it.")
    String name;

    @Option(names = "--json", description = "As one JSON object, for scripts.")
    boolean json;

    TargetsShow(Context context) {
        super(context);
    }

    @Override
    int run(Settings settings) {
        try (TargetControl control = new TargetControl(settings, context.clock())) {
            Backend.Configured configured = configured(control);
            TargetControl.unknown(configured, name).ifPresent(why -> {
                throw new SetupProblem(why);
            });
            Backend.TargetConfig target = configured.targets().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
            Optional<Map<String, TargetState>> states = states(control, List.of(name));
            if (states.isEmpty()) {
                return Errand.FAILED;
            }
            MetricsReader.Figures figures = lastHour(settings, List.of(name));
            Optional<MetricsReader.TargetFigures> f = Optional.ofNullable(figures.byTarget().get(name));
            Map<String, String> details = TargetControl.details(states.get().get(name), target.rate(), context.clock().instant());
            Map<String, Object> all = json(target, details, f);
            if (json) {
                out().println(PrettyJson.tree(all));
            } else {
                out().println("target " + name);
                int width = all.keySet().stream().mapToInt(String::length).max().orElse(0);
                all.forEach((k, v) -> {
                    if (!k.equals("target")) {
                        out().println("  " + String.format("%-" + width + "s", k) + "  " + v);
                    }
                });
                figures.problem().ifPresent(p -> out().println("  (last hour: " + p + ")"));
            }
            out().flush();
            return Errand.OK;
        }
    }

    /** The target in full as one flat map: what list --json prints per target, and show prints as lines. */
    static Map<String, Object> json(Backend.TargetConfig t, Map<String, String> details, Optional<MetricsReader.TargetFigures> f) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("target", t.name());
        all.putAll(details);
        all.put("base URL", t.baseUrl());
        all.put("auth", t.auth());
        all.put("timeout", t.timeoutMs() + " ms");
        all.put("max in flight", t.maxConcurrency());
        all.put("breaker after", t.breakerThreshold() + " retryable failures in a row");
        all.put("delivered, last hour", f.map(MetricsReader.TargetFigures::delivered).orElse(0L));
        all.put("retried, last hour", f.map(MetricsReader.TargetFigures::retried).orElse(0L));
        all.put("dead-lettered, last hour", f.map(MetricsReader.TargetFigures::deadLettered).orElse(0L));
        all.put("deferred, last hour", f.map(MetricsReader.TargetFigures::deferred).orElse(0L));
        return all;
    }
}
