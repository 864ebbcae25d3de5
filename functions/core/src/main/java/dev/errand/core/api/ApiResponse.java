package dev.errand.core.api;

import dev.errand.core.json.Json;
import dev.errand.core.problem.Problem;
import java.util.LinkedHashMap;
import java.util.Map;

/** An HTTP response from the API: status, headers, and a JSON body. */
public record ApiResponse(int status, Map<String, String> headers, String body) {

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(int status, Object tree) {
        return new ApiResponse(status, Map.of("Content-Type", "application/json"), Json.write(tree));
    }

    public static ApiResponse problem(Problem problem) {
        return new ApiResponse(problem.status(), Map.of("Content-Type", Problem.MEDIA_TYPE), Json.write(problem.toTree()));
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, more, body);
    }
}
