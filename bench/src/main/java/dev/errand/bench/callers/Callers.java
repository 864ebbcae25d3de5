package dev.errand.bench.callers;

import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.JdkHttpCaller;
import java.util.List;

/** The HTTP clients the benchmark compares, by name. */
public final class Callers {

    public static final List<String> NAMES = List.of("jdk", "urlconnection", "apache", "crt");

    private Callers() {}

    public static HttpCaller create(String name) {
        return switch (name) {
            case "jdk" -> new JdkHttpCaller(JdkHttpCaller.defaultClient());
            case "urlconnection" -> new UrlConnectionCaller();
            case "apache" -> new ApacheCaller();
            case "crt" -> new CrtCaller();
            default -> throw new IllegalArgumentException("no HTTP client named " + name + "; known: " + NAMES);
        };
    }
}
