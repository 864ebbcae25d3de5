package dev.errand.local;

import java.util.TreeMap;

/** What the local runtime prints once it is up: where things are, and what to try. */
final class Guide {

    private Guide() {}

    static String text(LocalRuntime runtime, LocalRuntime.Options options) {
        String api = runtime.apiUrl().toString();
        StringBuilder out = new StringBuilder();
        out.append("\nErrand is running locally (no Docker, no AWS account).\n\n");
        out.append("  API                ").append(api).append("   (POST /jobs, POST /jobs/batch)\n");
        out.append(runtime.usesExternalAws() ? "  AWS (LocalStack)   " : "  SQS (ElasticMQ)    ").append(runtime.sqsEndpoint()).append('\n');
        runtime.queues().values().forEach(q -> out.append("    ").append(String.format("%-17s", q.logicalId())).append(q.url()).append('\n'));
        runtime.demoUrl().ifPresent(d -> out.append("  demo provider      ").append(d).append("   (the target named \"demo\")\n"));
        runtime.motoEndpoint().ifPresent(m -> out.append(runtime.usesExternalAws() ? "" : "  moto               " + m
                + "   (DynamoDB for job records and target state" + (runtime.metrics() ? "; CloudWatch and SSM for the console" : "") + ")\n"));
        runtime.table("JobsTable").ifPresentOrElse(
                t -> out.append("  job records        DynamoDB table ").append(t).append("   (GET /jobs/{jobId}, GET /jobs, DELETE /jobs/{jobId})\n"),
                () -> out.append("  job records        off\n"));
        out.append("  parameters         ");
        new TreeMap<>(runtime.template().parameters()).forEach((k, v) -> out.append(k).append('=').append(v).append(' '));
        out.append('\n');
        out.append("  API auth           not checked locally: the local API takes unsigned requests (on AWS, ApiAuth=")
                .append(runtime.template().parameter("ApiAuth")).append(" applies)\n");
        out.append("  console            scripts/errand console --local   (queues, dead letters, targets, in a browser)\n");
        out.append(options.logFormat() == dev.errand.local.logs.LocalConsole.Format.JSON
                ? "  logs               JSON, as Lambda and API Gateway would write them (EMF metrics included)\n"
                : "  logs               one line per attempt and per request below; --json-logs prints what Lambda would log\n");
        out.append('\n');
        if (options.targets().isEmpty() && runtime.demoUrl().isPresent()) {
            out.append("""
                    Try it (in another terminal):

                      # delivered at once: the demo provider answers 200
                      curl -s -X POST %1$s/jobs -H 'Content-Type: application/json' \\
                           -d '{"target":"demo","path":"/status/200","body":{"hello":"world"}}'

                      # what happened to it (use the jobId from the answer above)
                      curl -s %1$s/jobs/<jobId>

                      # safe to repeat after a timeout: the same key gives the same job, queued once
                      curl -s -X POST %1$s/jobs -H 'Idempotency-Key: order-1234-confirmation' \\
                           -d '{"target":"demo","path":"/status/200"}'

                      # retried: 503 with Retry-After: 2 for the first two calls, then 200
                      curl -s -X POST %1$s/jobs -d '{"target":"demo","path":"/flaky/2"}'

                      # dead-lettered at once with its reason: 400 is permanent
                      curl -s -X POST %1$s/jobs -d '{"target":"demo","path":"/status/400"}'

                      # refused with every problem named, nothing queued
                      curl -s -X POST %1$s/jobs -d '{"target":"nope","method":"FETCH","path":"//evil"}'

                      # for later: a minute from now (or "runAt":"2027-01-01T09:00:00Z", up to a year ahead)
                      curl -s -X POST %1$s/jobs -d '{"target":"demo","path":"/status/200","delaySeconds":60}'

                      # cancelled before its time: never called (the same DELETE again answers the same)
                      curl -s -X DELETE %1$s/jobs/<jobId>

                      # told when it ends: one POST of its final state to /hooks/done on the demo provider
                      curl -s -X POST %1$s/jobs -d '{"target":"demo","path":"/status/503",
                           "notify":{"target":"demo","path":"/hooks/done","on":["succeeded","dead"]}}'

                      # the search: dead jobs of one target, newest first (pass "cursor" back for the next page)
                      curl -s '%1$s/jobs?status=dead&target=demo&limit=20'

                      # what is in the dead-letter queue, and why; or all of it in a browser: scripts/errand console --local
                      scripts/errand dlq list --local

                    A 503 that never recovers (path /status/503) is dead-lettered after MaxAttempts calls; start with
                    --parameter-overrides MaxAttempts=3 RetryBaseSeconds=1 RetryMaxSeconds=4 to watch that in seconds.
                    """.formatted(api));
        }
        out.append("Ctrl-C stops everything.\n");
        return out.toString();
    }
}
