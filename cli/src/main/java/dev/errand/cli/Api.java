package dev.errand.cli;

import dev.errand.aws.SigV4;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/** The jobs API as the settings name it, and how a command shows its answer. */
final class Api {

    private Api() {}

    static ApiClient client(Settings settings, Context context) {
        Optional<SigV4> signer = settings.signsApiCalls()
                ? Optional.of(new SigV4(settings.aws().credentials(), settings.aws().region(), context.clock(), SigV4.EXECUTE_API))
                : Optional.empty();
        return new ApiClient(settings.apiUrl(), signer, HttpClient.newBuilder().connectTimeout(ApiClient.TIMEOUT).build());
    }

    /** Prints the answer's body (indented) on stdout; a non-2xx status, or no answer, also on stderr, and fails. */
    static int show(ApiClient.Reply reply, CommandSpec spec, String whenNotFound) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int code = switch (reply) {
            case ApiClient.Reply.Answered a when a.status() / 100 == 2 -> {
                out.println(PrettyJson.of(a.body()));
                yield Errand.OK;
            }
            case ApiClient.Reply.Answered a -> {
                out.println(PrettyJson.of(a.body()));
                err.println("errand: the API answered " + a.status() + (a.status() == 404 ? "; " + whenNotFound : "")
                        + (a.status() == 403 ? "; on AWS, check the credentials' region and their execute-api:Invoke permission" : ""));
                yield Errand.FAILED;
            }
            case ApiClient.Reply.Unreachable u -> {
                err.println("errand: " + u.detail());
                yield Errand.FAILED;
            }
        };
        out.flush();
        err.flush();
        return code;
    }
}
