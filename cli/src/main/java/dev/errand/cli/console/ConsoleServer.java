package dev.errand.cli.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.errand.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web console: a few pages (plain HTML, CSS and a little JavaScript, served from this jar) and the
 * JSON they read, on 127.0.0.1 only, every request checked by the {@link Guard}. Reading changes nothing;
 * an action runs only once the operator confirmed it: a redrive, what its dry run planned; a cancel, the job
 * the operator saw.
 */
public final class ConsoleServer implements AutoCloseable {

    /** The console's own loopback address: nothing else can connect, and DNS rebinding meets the Host check. */
    public static final String HOST = "127.0.0.1";
    /** Dead letters read for the page at most: each read holds them for a moment, so the page asks for few. */
    static final int MAX_DEAD_LETTERS = 500;
    static final int DEFAULT_DEAD_LETTERS = 200;
    /** A request body larger than this is no console request. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** How often the pages ask for the queues: SQS's counts are cheap and move by the second. */
    static final Duration QUEUE_REFRESH = Duration.ofSeconds(5);

    private static final Pattern JOB = Pattern.compile("/api/jobs/([^/]+)");
    private static final Pattern CANCEL = Pattern.compile("/api/jobs/([^/]+)/cancel");
    private static final Pattern TARGET_ACTION = Pattern.compile("/api/targets/([^/]+)/(pause|resume)");
    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html", "/app.js", "app.js", "/app.css", "app.css");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    private final HttpServer server;
    private final Guard guard;
    private final Backend backend;
    private final MetricsReader metrics;
    private final Views views;
    private final RedriveDesk redrives;

    private ConsoleServer(HttpServer server, Guard guard, Backend backend, MetricsReader metrics, Clock clock) {
        this.server = server;
        this.guard = guard;
        this.backend = backend;
        this.metrics = metrics;
        this.views = new Views(clock);
        this.redrives = new RedriveDesk(backend, clock);
    }

    /** Starts on 127.0.0.1 and {@code port} (0 picks a free one) with a fresh token. */
    public static ConsoleServer start(int port, String token, Backend backend, MetricsReader metrics, Clock clock) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), port), 0);
            ConsoleServer console = new ConsoleServer(server, new Guard(token, server.getAddress().getPort()), backend, metrics, clock);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", console::serve);
            server.start();
            return console;
        } catch (IOException e) {
            throw new UncheckedIOException("the console could not listen on " + HOST + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The link to open: the token rides in it once, and a cookie carries it from then on. */
    public URI url() {
        return URI.create("http://" + HOST + ":" + port() + "/?token=" + guard.token());
    }

    /** Waits for a running redrive to reach its end (after a stop, its safe point), then stops serving. */
    public void stop(Duration grace) {
        redrives.awaitRun(grace);
        server.stop(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String method = exchange.getRequestMethod();
            switch (guard.check(method, uri, exchange.getRequestHeaders())) {
                case Guard.Verdict.Refused r -> refuse(exchange, uri, r.why());
                case Guard.Verdict.SetCookie c -> {
                    exchange.getResponseHeaders().add("Set-Cookie", c.cookie());
                    exchange.getResponseHeaders().set("Location", "/" + Optional.ofNullable(uri.getRawFragment()).map(f -> "#" + f).orElse(""));
                    send(exchange, 303, "text/plain; charset=utf-8", "the console: /".getBytes(StandardCharsets.UTF_8));
                }
                case Guard.Verdict.Allowed a -> route(exchange, method, uri);
            }
        } catch (RuntimeException e) {
            // an AWS call that failed, say: the page shows it and keeps refreshing
            json(exchange, 502, problem(502, "the console could not read Errand", String.valueOf(e.getMessage())));
        }
    }

    private void route(HttpExchange exchange, String method, URI uri) throws IOException {
        String path = uri.getPath();
        if (method.equals("GET") && ASSETS.containsKey(path)) {
            asset(exchange, ASSETS.get(path));
            return;
        }
        if (path.equals("/favicon.ico")) {
            send(exchange, 204, "image/x-icon", new byte[0]);
            return;
        }
        if (!path.startsWith("/api/")) {
            json(exchange, 404, problem(404, "no such page", path));
            return;
        }
        Matcher cancel = CANCEL.matcher(path);
        Matcher target = TARGET_ACTION.matcher(path);
        Matcher job = JOB.matcher(path);
        switch (method + " " + path) {
            case "GET /api/info" -> json(exchange, 200, views.info(backend, metrics.refresh(), QUEUE_REFRESH));
            case "GET /api/overview" -> json(exchange, 200, views.overview(backend.queues(), targets()));
            case "GET /api/queues" -> json(exchange, 200, views.queues(backend.queues()));
            case "GET /api/targets" -> json(exchange, 200, targets());
            case "GET /api/dead-letters" -> json(exchange, 200, views.deadLetters(backend.deadLetters(limit(uri)), backend.queues()));
            case "POST /api/redrive/plan" -> plan(exchange);
            case "POST /api/redrive/start" -> start(exchange);
            case "GET /api/redrive/current" -> json(exchange, 200, Map.of("run", redrives.current().map(views::run).orElse(Map.of())));
            case "GET /api/jobs" -> search(exchange, uri);
            default -> {
                if (method.equals("POST") && cancel.matches()) {
                    cancel(exchange, decode(cancel.group(1)));
                } else if (method.equals("POST") && target.matches()) {
                    targetAction(exchange, decode(target.group(1)), target.group(2));
                } else if (method.equals("GET") && job.matches()) {
                    json(exchange, 200, views.job(backend.job(decode(job.group(1)))));
                } else {
                    json(exchange, 404, problem(404, "no such API call", method + " " + path));
                }
            }
        }
    }

    private Map<String, Object> targets() {
        Backend.Configured configured = backend.targets();
        List<String> names = configured.targets().stream().map(Backend.TargetConfig::name).toList();
        return views.targets(configured, metrics.lastHour(names), backend::targetState);
    }

    private void plan(HttpExchange exchange) throws IOException {
        Optional<Map<String, Object>> body = body(exchange);
        if (body.isEmpty()) {
            json(exchange, 400, problem(400, "a dry run takes JSON: {\"all\": true} or {\"jobIds\": [...]}, and \"rate\"", ""));
            return;
        }
        Views.Order order = views.order(body.get());
        switch (order) {
            case Views.Order.Invalid i -> json(exchange, 400, problem(400, "this is no redrive", i.why()));
            case Views.Order.Valid v -> {
                switch (redrives.plan(v.order())) {
                    case RedriveDesk.Planned.Ready r -> json(exchange, 200, views.plan(r.plan()));
                    case RedriveDesk.Planned.Refused r -> json(exchange, 409, problem(409, "not now", r.why()));
                }
            }
        }
    }

    private void start(HttpExchange exchange) throws IOException {
        Optional<Map<String, Object>> body = body(exchange);
        if (body.isEmpty() || !Boolean.TRUE.equals(body.get().get("confirm")) || !(body.get().get("planId") instanceof String planId)) {
            json(exchange, 400, problem(400, "a redrive needs the id of its dry run and \"confirm\": true", ""));
            return;
        }
        switch (redrives.start(planId)) {
            case RedriveDesk.Start.Started s -> json(exchange, 202, Map.of("run", views.run(s.run())));
            case RedriveDesk.Start.Refused r -> json(exchange, 409, problem(409, "not redriven", r.why()));
        }
    }

    private void search(HttpExchange exchange, URI uri) throws IOException {
        Map<String, String> q = query(uri);
        Backend.JobQuery query = new Backend.JobQuery(opt(q, "status"), opt(q, "target"), opt(q, "since"), opt(q, "until"),
                opt(q, "limit").filter(l -> l.matches("\\d{1,4}")).map(Integer::parseInt), opt(q, "cursor"));
        switch (backend.searchJobs(query)) {
            case Backend.JobSearch.Page p -> json(exchange, 200, views.page(p));
            case Backend.JobSearch.Invalid i -> json(exchange, 400, problem(400, "this is no search", i.detail()));
            case Backend.JobSearch.Failed f -> json(exchange, 502, problem(502, "the search failed", f.detail()));
            case Backend.JobSearch.Unavailable u -> json(exchange, 501, problem(501, "not available", u.why().reason()));
        }
    }

    private void cancel(HttpExchange exchange, String jobId) throws IOException {
        if (!body(exchange).map(b -> Boolean.TRUE.equals(b.get("confirm"))).orElse(false)) {
            json(exchange, 400, problem(400, "a cancel needs \"confirm\": true", "the page asks the operator first"));
            return;
        }
        action(exchange, backend.cancelJob(jobId));
    }

    private void targetAction(HttpExchange exchange, String target, String verb) throws IOException {
        Optional<Map<String, Object>> body = body(exchange);
        if (body.isEmpty() || !Boolean.TRUE.equals(body.get().get("confirm"))) {
            json(exchange, 400, problem(400, "an action needs \"confirm\": true", ""));
            return;
        }
        Duration duration = body.get().get("minutes") instanceof Number n ? Duration.ofMinutes(n.longValue()) : Duration.ZERO;
        String reason = String.valueOf(body.get().getOrDefault("reason", "paused from the console"));
        action(exchange, verb.equals("pause") ? backend.pauseTarget(target, duration, reason) : backend.resumeTarget(target));
    }

    private void action(HttpExchange exchange, Backend.Action action) throws IOException {
        switch (action) {
            case Backend.Action.Done d -> json(exchange, 200, Map.of("done", true, "detail", d.detail()));
            case Backend.Action.Refused r -> json(exchange, 409, problem(409, "refused", r.detail()));
            case Backend.Action.NotDone n -> json(exchange, 501, problem(501, "not available", n.why().reason()));
        }
    }

    private static int limit(URI uri) {
        return opt(query(uri), "limit").filter(l -> l.matches("\\d{1,4}")).map(Integer::parseInt)
                .map(l -> Math.max(1, Math.min(MAX_DEAD_LETTERS, l))).orElse(DEFAULT_DEAD_LETTERS);
    }

    @SuppressWarnings("unchecked")
    private static Optional<Map<String, Object>> body(HttpExchange exchange) throws IOException {
        String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (!type.startsWith("application/json")) {
            return Optional.empty();
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            return bytes.length <= MAX_BODY_BYTES && Json.parse(new String(bytes, StandardCharsets.UTF_8)) instanceof Json.Parsed.Value v
                    && v.value() instanceof Map<?, ?> m ? Optional.of((Map<String, Object>) m) : Optional.empty();
        }
    }

    private void refuse(HttpExchange exchange, URI uri, String why) throws IOException {
        if (uri.getPath().startsWith("/api/")) {
            json(exchange, 403, problem(403, "refused", why));
            return;
        }
        String page = "<!doctype html><html lang=en><meta charset=utf-8><title>Errand console: refused</title>"
                + "<body><h1>Refused</h1><p id=why>" + escape(why) + "</p></body></html>";
        send(exchange, 403, TYPES.get("html"), page.getBytes(StandardCharsets.UTF_8));
    }

    private void asset(HttpExchange exchange, String name) throws IOException {
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                json(exchange, 404, problem(404, "no such page", name));
                return;
            }
            send(exchange, 200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), in.readAllBytes());
        }
    }

    private static Map<String, Object> problem(int status, String title, String detail) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", detail);
        return problem;
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, status >= 400 ? "application/problem+json" : "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : Optional.ofNullable(uri.getRawQuery()).orElse("").split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2 && !kv[1].isEmpty()) {
                values.put(decode(kv[0]), decode(kv[1]));
            }
        }
        return values;
    }

    private static Optional<String> opt(Map<String, String> query, String name) {
        return Optional.ofNullable(query.get(name));
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
