package dev.errand.cli;

import dev.errand.core.api.JobsApi;
import dev.errand.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "submit", sortOptions = false, abbreviateSynopsis = true,
        header = "Submit a job through the API (POST /jobs).",
        description = "Submits one job as a client would; on AWS the call is signed with your credentials (SigV4)."
                + " Prints the answer: the job's id, or every problem the API found.",
        footer = {"", "Examples:",
            "  errand submit --target crm --path /contacts --body '{\"email\":\"a@example.com\"}' --stack errand",
            "  errand submit -t demo -p /status/200 --body-file job-body.json -H 'X-Tenant: 42' --idempotency-key order-1 --local"})
final class Submit extends OperatorCommand {

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "NAME", description = "The configured target to call.")
    String target;

    @Option(names = {"-p", "--path"}, paramLabel = "PATH", description = "Appended to the target's base URL, starting with /.")
    Optional<String> path = Optional.empty();

    @Option(names = {"-X", "--method"}, paramLabel = "METHOD", description = "GET, POST, PUT, PATCH or DELETE (the API's default: POST).")
    Optional<String> method = Optional.empty();

    @Option(names = {"-d", "--body"}, paramLabel = "JSON", description = "The call's body: any JSON.")
    Optional<String> body = Optional.empty();

    @Option(names = "--body-file", paramLabel = "FILE", description = "The call's body from a file of JSON.")
    Optional<Path> bodyFile = Optional.empty();

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A header for the call; repeat for more.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "The same key and request again gives the same job, queued once.")
    Optional<String> idempotencyKey = Optional.empty();

    @Option(names = "--delay", paramLabel = "SECONDS", description = "Hold the job back this long first (0 to 31536000, a year).")
    Optional<Integer> delaySeconds = Optional.empty();

    @Option(names = "--run-at", paramLabel = "TIME", description = "Or call it at this RFC 3339 time (up to a year ahead).")
    Optional<String> runAt = Optional.empty();


    Submit(Context context) {
        super(context);
    }

    @Override
    void check() {
        job();
    }

    @Override
    int run(Settings settings) {
        Map<String, String> requestHeaders = new LinkedHashMap<>();
        idempotencyKey.ifPresent(k -> requestHeaders.put(JobsApi.IDEMPOTENCY_KEY, k));
        return Api.show(Api.client(settings, context).post("/jobs", Json.write(job()), requestHeaders), spec, "no jobs route at this API URL");
    }

    /** The job document; the API checks every field, so only what cannot be sent at all is refused here. */
    private Map<String, Object> job() {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("target", target);
        method.ifPresent(m -> job.put("method", m));
        path.ifPresent(p -> job.put("path", p));
        if (!headers.isEmpty()) {
            job.put("headers", headers());
        }
        bodyText().ifPresent(text -> job.put("body", switch (Json.parse(text)) {
            case Json.Parsed.Value v -> v.value();
            case Json.Parsed.Malformed m -> throw new SetupProblem("the body is not JSON: " + m.detail());
        }));
        delaySeconds.ifPresent(d -> job.put("delaySeconds", d));
        runAt.ifPresent(t -> job.put("runAt", t));
        return job;
    }

    private Map<String, String> headers() {
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon < 1) {
                throw new SetupProblem("a header is 'Name: value', was '" + header + "'");
            }
            parsed.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        return parsed;
    }

    private Optional<String> bodyText() {
        if (body.isPresent() && bodyFile.isPresent()) {
            throw new SetupProblem("give --body or --body-file, not both");
        }
        return body.or(() -> bodyFile.map(Submit::read));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new SetupProblem("cannot read the body file " + file + ": " + e.getMessage());
        }
    }
}
