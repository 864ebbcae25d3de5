package dev.errand.local;

import dev.errand.local.logs.LocalConsole;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/** {@code scripts/run-local.sh}: starts the local runtime, prints what to try, stops cleanly on Ctrl-C. */
public final class Main {

    private static final String USAGE = """
            usage: scripts/run-local.sh [--parameter-overrides Key=Value ...] [--api-port N] [--sqs-port N]
                                        [--demo-port N] [--moto-port N] [--no-demo] [--json-logs] [--template FILE]
                                        [--localstack [URL]] [--targets-in-ssm]
              Targets come from ERRAND_TARGETS (inline JSON); without it, the one target is the demo provider.
              --targets-in-ssm has the functions read them from SSM (moto), as deployed ones do: change the
              parameter there and they pick it up within TargetsRefreshSeconds.
              --json-logs prints what Lambda and API Gateway would log (JSON lines, EMF metrics, access log
              entries) instead of one readable line per attempt and per request.
              --localstack uses a running LocalStack (default %s) instead of the embedded ElasticMQ and moto."""
            .formatted("http://localhost:4566");
    /** Where LocalStack listens unless told otherwise. */
    static final String LOCALSTACK = "http://localhost:4566";

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(USAGE);
            System.exit(0);
            return;
        }
        LocalRuntime.Options options;
        try {
            options = parse(List.of(args), LocalRuntime.Options.defaults(Path.of("template.yaml")));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (!Files.isRegularFile(options.template())) {
            System.err.println("no " + options.template() + " here: run this from the repository's root");
            System.exit(2);
        }
        LocalRuntime runtime;
        try {
            runtime = LocalRuntime.start(options);
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping: finishing batches in flight, then closing the API and the queues...");
            runtime.close();
            System.out.println("Stopped.");
            stopped.countDown();
        }));
        System.out.println(Guide.text(runtime, options));
        stopped.await();
    }

    static LocalRuntime.Options parse(List<String> args, LocalRuntime.Options defaults) {
        Map<String, String> overrides = new LinkedHashMap<>();
        LocalRuntime.Options o = defaults;
        int apiPort = o.apiPort(), sqsPort = o.sqsPort(), demoPort = o.demoPort(), motoPort = o.motoPort();
        boolean demo = o.demo();
        LocalConsole.Format logFormat = o.logFormat();
        boolean targetsInSsm = o.targetsInSsm();
        Path template = o.template();
        Optional<URI> localstack = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--parameter-overrides" -> {
                    while (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                        String pair = args.get(++i);
                        int eq = pair.indexOf('=');
                        if (eq < 1) {
                            throw new IllegalArgumentException("--parameter-overrides takes Key=Value pairs, got '" + pair + "'");
                        }
                        overrides.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
                case "--api-port" -> apiPort = port(args, ++i);
                case "--sqs-port" -> sqsPort = port(args, ++i);
                case "--demo-port" -> demoPort = port(args, ++i);
                case "--moto-port" -> motoPort = port(args, ++i);
                case "--no-demo" -> demo = false;
                case "--json-logs" -> logFormat = LocalConsole.Format.JSON;
                case "--targets-in-ssm" -> targetsInSsm = true;
                case "--localstack" -> localstack = Optional.of(URI.create(
                        i + 1 < args.size() && !args.get(i + 1).startsWith("--") ? args.get(++i) : LOCALSTACK));
                case "--template" -> template = Path.of(value(args, ++i));
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        Optional<String> targets = Optional.ofNullable(System.getenv("ERRAND_TARGETS")).filter(t -> !t.isBlank());
        Map<String, String> passThrough = new LinkedHashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("ERRAND_") && !k.equals("ERRAND_TARGETS")) {
                passThrough.put(k, v);
            }
        });
        return new LocalRuntime.Options(template, overrides, apiPort, sqsPort, demoPort, demo, targets, passThrough,
                o.handlers(), o.console(), o.motoProblem(), localstack, motoPort, logFormat, o.metrics(), targetsInSsm);
    }

    private static int port(List<String> args, int i) {
        try {
            int port = Integer.parseInt(value(args, i));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(args.get(i - 1) + " takes a port number from 0 to 65535");
        }
    }

    private static String value(List<String> args, int i) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(args.get(i - 1) + " needs a value");
        }
        return args.get(i);
    }
}
