package dev.errand.cli.console;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/** The JSON the pages read: plain maps and lists, every field named as the page shows it. */
final class Views {

    /** Jobs a redrive takes at most by name from the page; more is a redrive of all. */
    static final int MAX_NAMED_JOBS = 1000;
    /** Lines of a run kept for the page: the last ones, as the counts say the rest. */
    static final int MAX_LINES_SHOWN = 200;

    private final Clock clock;

    Views(Clock clock) {
        this.clock = clock;
    }

    Map<String, Object> info(Backend backend, Duration metricsRefresh, Duration queueRefresh) {
        Backend.Capabilities c = backend.capabilities();
        return map("where", backend.where(),
                "capabilities", map("jobSearch", c.jobSearch().isEmpty(), "jobCancel", c.jobCancel().isEmpty(),
                        "targetControl", c.targetControl().isEmpty()),
                "unavailable", map("jobSearch", c.jobSearch().map(Backend.Unavailable::reason).orElse(""),
                        "jobCancel", c.jobCancel().map(Backend.Unavailable::reason).orElse(""),
                        "targetControl", c.targetControl().map(Backend.Unavailable::reason).orElse("")),
                "refresh", map("queuesSeconds", queueRefresh.toSeconds(), "metricsSeconds", metricsRefresh.toSeconds()));
    }

    Map<String, Object> overview(Backend.QueueSnapshot queues, Map<String, Object> targets) {
        Map<String, Object> overview = new LinkedHashMap<>(targets);
        overview.put("queues", queues(queues));
        overview.put("at", clock.instant().toString());
        return overview;
    }

    Map<String, Object> queues(Backend.QueueSnapshot q) {
        return map("jobs", depth(q.jobs()), "deadLetters", depth(q.deadLetters()),
                "oldestJobSeconds", q.oldestJobSeconds().orElse(null), "oldestNote", q.oldestNote());
    }

    /** The targets (configured, and any other with metrics), their last hour, and where the figures came from. */
    Map<String, Object> targets(Backend.Configured configured, MetricsReader.Figures figures,
                                Function<String, Optional<Backend.TargetState>> states) {
        Map<String, Backend.TargetConfig> byName = new TreeMap<>();
        configured.targets().forEach(t -> byName.put(t.name(), t));
        TreeMap<String, Boolean> names = new TreeMap<>();
        byName.keySet().forEach(n -> names.put(n, true));
        figures.byTarget().keySet().forEach(n -> names.putIfAbsent(n, false));
        List<Map<String, Object>> rows = new ArrayList<>();
        names.forEach((name, isConfigured) -> {
            Optional<MetricsReader.TargetFigures> f = Optional.ofNullable(figures.byTarget().get(name));
            Map<String, Object> row = map("name", name, "configured", isConfigured,
                    "config", Optional.ofNullable(byName.get(name)).map(Views::config).orElse(null),
                    "health", health(f),
                    "state", states.apply(name).map(s -> map("state", s.state(), "details", s.details())).orElse(null),
                    "delivered", f.map(MetricsReader.TargetFigures::delivered).orElse(0L),
                    "retried", f.map(MetricsReader.TargetFigures::retried).orElse(0L),
                    "deadLettered", f.map(MetricsReader.TargetFigures::deadLettered).orElse(0L),
                    "deferred", f.map(MetricsReader.TargetFigures::deferred).orElse(0L),
                    "calls", f.map(MetricsReader.TargetFigures::calls).orElse(0L),
                    "latency", map("p50", f.flatMap(MetricsReader.TargetFigures::p50).orElse(null),
                            "p99", f.flatMap(MetricsReader.TargetFigures::p99).orElse(null),
                            "average", f.flatMap(MetricsReader.TargetFigures::average).orElse(null),
                            "maximum", f.flatMap(MetricsReader.TargetFigures::maximum).orElse(null)));
            rows.add(row);
        });
        return map("targets", rows,
                "metrics", map("at", figures.at().toString(), "problem", figures.problem().orElse(null), "percentiles", figures.percentiles()),
                "document", map("source", configured.source(), "problems", configured.problems(), "count", configured.targets().size()));
    }

    /**
     * A target's last hour in a word, until the fleet-wide target state can say more: healthy (no call failed
     * in a retryable way), failing (calls failed so, none was delivered), degraded (both), idle (no calls). A
     * job the provider refused for good (a 4xx) is the request's fault, not the provider's: it shows in the
     * dead-lettered column, not here.
     */
    static String health(Optional<MetricsReader.TargetFigures> figures) {
        long good = figures.map(MetricsReader.TargetFigures::delivered).orElse(0L);
        long bad = figures.map(MetricsReader.TargetFigures::retried).orElse(0L);
        long calls = figures.map(MetricsReader.TargetFigures::calls).orElse(0L);
        return calls == 0 && good == 0 && bad == 0 ? "idle" : bad == 0 ? "healthy" : good == 0 ? "failing" : "degraded";
    }

    Map<String, Object> deadLetters(List<Backend.Letter> letters, Backend.QueueSnapshot queues) {
        Map<String, List<Backend.Letter>> groups = new TreeMap<>();
        for (Backend.Letter l : letters) {
            groups.computeIfAbsent(l.target().orElse("-") + "\u0000" + ReasonGroups.key(l.reason()), k -> new ArrayList<>()).add(l);
        }
        List<Map<String, Object>> shown = new ArrayList<>();
        groups.forEach((key, members) -> {
            String[] parts = key.split("\u0000", 2);
            shown.add(map("target", parts[0], "reason", parts[1], "count", members.size(),
                    "letters", members.stream().sorted(Comparator.comparingLong(Backend.Letter::ageSeconds).reversed()).map(Views::letter).toList()));
        });
        shown.sort(Comparator.comparingInt((Map<String, Object> g) -> (Integer) g.get("count")).reversed());
        return map("groups", shown, "shown", letters.size(), "queue", depth(queues.deadLetters()), "at", clock.instant().toString());
    }

    private static Map<String, Object> letter(Backend.Letter l) {
        return map("jobId", l.jobId().orElse(null), "messageId", l.messageId(), "target", l.target().orElse(null),
                "attempts", l.attempts() + (l.atLeast() ? "+" : ""), "reason", l.reason(), "ageSeconds", l.ageSeconds());
    }

    /** What the page asked a redrive to take. */
    sealed interface Order {
        record Valid(Backend.RedriveOrder order) implements Order {}

        record Invalid(String why) implements Order {}
    }

    Order order(Map<String, Object> body) {
        Optional<Integer> rate = Optional.empty();
        Object r = body.get("rate");
        if (r instanceof Number n) {
            if (n.intValue() < 1 || n.intValue() > 10_000 || n.doubleValue() != n.intValue()) {
                return new Order.Invalid("rate is jobs a second, 1 to 10000; was " + n);
            }
            rate = Optional.of(n.intValue());
        } else if (r != null) {
            return new Order.Invalid("rate is a number of jobs a second");
        }
        boolean all = Boolean.TRUE.equals(body.get("all"));
        if (all == body.containsKey("jobIds")) {
            return new Order.Invalid("name the jobs (\"jobIds\") or give \"all\": true, not both");
        }
        if (all) {
            return new Order.Valid(new Backend.RedriveOrder(Optional.empty(), rate));
        }
        if (!(body.get("jobIds") instanceof List<?> ids) || ids.isEmpty() || ids.size() > MAX_NAMED_JOBS
                || !ids.stream().allMatch(String.class::isInstance)) {
            return new Order.Invalid("jobIds is a list of 1 to " + MAX_NAMED_JOBS + " job ids");
        }
        return new Order.Valid(new Backend.RedriveOrder(Optional.of(ids.stream().map(String::valueOf).toList()), rate));
    }

    Map<String, Object> plan(RedriveDesk.Plan plan) {
        return map("planId", plan.id(), "order", order(plan.order()), "counts", plan.report().counts(), "notFound", plan.report().notFound(),
                "lines", plan.lines().stream().limit(MAX_LINES_SHOWN).map(Views::line).toList(), "lineCount", plan.lines().size(),
                "at", plan.at().toString(), "expiresInSeconds", RedriveDesk.PLAN_LIFETIME.toSeconds());
    }

    Map<String, Object> run(RedriveDesk.Run run) {
        List<Backend.RedriveLine> lines = run.lines();
        Map<String, Long> counts = new TreeMap<>();
        lines.forEach(l -> counts.merge(l.verdict(), 1L, Long::sum));
        List<Backend.RedriveLine> last = lines.subList(Math.max(0, lines.size() - MAX_LINES_SHOWN), lines.size());
        return map("runId", run.id, "planId", run.planId, "order", order(run.order), "started", run.started.toString(),
                "done", run.done(), "counts", run.report().map(Backend.RedriveReport::counts).orElse(counts),
                "stopped", run.report().map(Backend.RedriveReport::stopped).orElse(false),
                "notFound", run.report().map(Backend.RedriveReport::notFound).orElse(List.of()),
                "failure", run.failure().orElse(null), "lines", last.stream().map(Views::line).toList(), "lineCount", lines.size());
    }

    private static Map<String, Object> order(Backend.RedriveOrder order) {
        return map("all", order.jobIds().isEmpty(), "jobIds", order.jobIds().orElse(List.of()), "rate", order.rate().orElse(null));
    }

    private static Map<String, Object> line(Backend.RedriveLine l) {
        return map("verdict", l.verdict(), "who", l.who(), "target", l.target(), "detail", l.detail());
    }

    Map<String, Object> job(Backend.JobLookup lookup) {
        return switch (lookup) {
            case Backend.JobLookup.Found f -> map("found", true, "record", f.record());
            case Backend.JobLookup.NotFound n -> map("found", false, "detail", n.detail());
            case Backend.JobLookup.Failed f -> map("found", false, "failed", true, "detail", f.detail());
        };
    }

    Map<String, Object> page(Backend.JobSearch.Page page) {
        return map("jobs", page.jobs(), "cursor", page.cursor().orElse(null));
    }

    private static Map<String, Object> config(Backend.TargetConfig t) {
        return map("baseUrl", t.baseUrl(), "timeoutMs", t.timeoutMs(), "maxConcurrency", t.maxConcurrency(),
                "breakerThreshold", t.breakerThreshold(), "auth", t.auth(),
                "rate", t.rate().map(r -> map("perSecond", r.perSecond(), "burst", r.burst())).orElse(null));
    }

    private static Map<String, Object> depth(Backend.Depth d) {
        return map("visible", d.visible(), "inFlight", d.inFlight(), "delayed", d.delayed());
    }

    /** A map of name, value pairs in order; a null value is written as JSON null (the page shows "-"). */
    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(String.valueOf(pairs[i]), pairs[i + 1]);
        }
        return out;
    }
}
