package dev.errand.bench.callers;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.JdkHttpCaller;
import dev.errand.core.delivery.OutgoingRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/** {@link HttpCaller} on Apache HttpClient 5 (classic, blocking) on virtual threads; redirects and retries off. */
public final class ApacheCaller implements HttpCaller {

    /** As many pooled connections as calls a batch may have in flight. */
    static final int MAX_CONNECTIONS = 1000;

    private final CloseableHttpClient client;
    private final Watchdog watchdog = new Watchdog();

    public ApacheCaller() {
        client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(JdkHttpCaller.CONNECT_TIMEOUT)).build())
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableContentCompression()
                .build();
    }

    @Override
    public CallResult call(OutgoingRequest request, Duration timeout) {
        long start = System.nanoTime();
        HttpUriRequestBase http;
        Optional<String> invalid = Responses.invalidHeader(request.headers());
        if (invalid.isPresent()) {
            // Apache would quietly turn CR and LF into spaces and send it; the contract is to refuse
            return new CallResult.NoResponse(CallResult.Failure.UNSENDABLE, invalid.get(), Responses.since(start));
        }
        try {
            http = new HttpUriRequestBase(request.method().name(), request.uri());
            request.headers().forEach(http::addHeader);
            request.body().ifPresent(b -> http.setEntity(new ByteArrayEntity(b.getBytes(StandardCharsets.UTF_8), null)));
            http.setConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(timeout))
                    .setConnectionRequestTimeout(Timeout.of(timeout)).build());
        } catch (IllegalArgumentException e) {
            return new CallResult.NoResponse(CallResult.Failure.UNSENDABLE, String.valueOf(e.getMessage()), Responses.since(start));
        }
        try (Watchdog.Armed armed = watchdog.arm(timeout, http::cancel)) {
            try {
                CallResult result = client.execute(http, response -> {
                    String prefix = "";
                    if (response.getEntity() != null) {
                        try (InputStream body = response.getEntity().getContent()) {
                            prefix = Responses.prefix(body, start + timeout.toNanos());
                        }
                        EntityUtils.consume(response.getEntity());
                    }
                    return new CallResult.Responded(response.getCode(),
                            Optional.ofNullable(response.getFirstHeader("Retry-After")).map(Header::getValue), prefix, Responses.since(start));
                });
                return armed.fired() ? Responses.failure(new IOException("timed out"), true, timeout, Responses.since(start)) : result;
            } catch (IOException | RuntimeException e) {
                return Responses.failure(e, armed.fired(), timeout, Responses.since(start));
            }
        }
    }
}
