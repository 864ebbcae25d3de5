package dev.errand.cli;

import dev.errand.aws.CloudWatchJson;
import dev.errand.cli.console.ConsoleServer;
import dev.errand.cli.console.Guard;
import dev.errand.cli.console.MetricsReader;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "console", sortOptions = false, abbreviateSynopsis = true,
        header = "Open a web console: queues, dead letters (and redrive), jobs (search, cancel), targets.",
        description = {
            "Serves a console on 127.0.0.1 for your browser, with your own credentials behind it (the same settings as every"
                + " other command: --stack on AWS, --local for scripts/run-local.sh). It prints a link with a token made for"
                + " this run; requests without it, or naming another host or origin, are refused. It only reads until you"
                + " confirm an action: a redrive runs as errand dlq redrive does (a dry run first, at the rate you give, nothing"
                + " lost if the page is closed); a cancel as errand cancel does. Ctrl-C stops it (a redrive in flight finishes"
                + " its batch in hand).",
            "",
            "Per-target figures come from CloudWatch (namespace Errand), read once a minute on AWS (each read is a"
                + " GetMetricData request, about $0.01 per 1,000 metrics) and every 5 s locally."},
        footer = {"", "Examples:", "  errand console --stack errand", "  errand console --local"})
final class ConsoleCommand extends OperatorCommand {

    /** CloudWatch bills each metric read: once a minute matches its own resolution and costs cents a day. */
    static final Duration AWS_METRICS_EVERY = Duration.ofSeconds(60);
    /** Locally the metrics are moto's, free: often enough that a job's call shows within seconds. */
    static final Duration LOCAL_METRICS_EVERY = Duration.ofSeconds(5);
    /** After Ctrl-C, a redrive in flight gets this long to finish its batch in hand (Main waits a little longer). */
    static final Duration STOP_GRACE = Main.GRACE.minusSeconds(5);

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "Listen on this port of 127.0.0.1 (default: a free one).")
    int port;

    @Option(names = "--metrics-every", paramLabel = "SECONDS",
            description = "Read CloudWatch at most this often (default 60 on AWS, 5 locally).")
    Optional<Integer> metricsEvery = Optional.empty();

    ConsoleCommand(Context context) {
        super(context);
    }

    @Override
    void check() {
        if (port < 0 || port > 65_535) {
            throw new SetupProblem("--port takes 0 to 65535, was " + port);
        }
        if (metricsEvery.filter(s -> s < 1).isPresent()) {
            throw new SetupProblem("--metrics-every takes 1 or more seconds");
        }
    }

    @Override
    int run(Settings settings) {
        Duration refresh = metricsEvery.map(Duration::ofSeconds).orElse(settings.local() ? LOCAL_METRICS_EVERY : AWS_METRICS_EVERY);
        try (CloudWatchJson cloudWatch = settings.cloudWatch(context.clock())) {
            ErrandBackend backend = new ErrandBackend(settings, context, cloudWatch);
            ConsoleServer server = ConsoleServer.start(port, Guard.newToken(new SecureRandom()), backend,
                    new MetricsReader(cloudWatch, context.clock(), refresh), context.clock());
            out().println("Errand console for " + backend.where() + ":");
            out().println();
            out().println("  " + server.url());
            out().println();
            out().println("Open the link in your browser on this machine; it holds this run's token. The console reads until you confirm an");
            out().println("action (a redrive, a cancel). Ctrl-C stops it.");
            out().flush();
            while (!context.stop().pause(Duration.ofHours(1))) {
                // serving until a stop is asked for
            }
            server.stop(STOP_GRACE);
            out().println("Console stopped.");
            out().flush();
            return Errand.OK;
        }
    }
}
