package dev.errand.bench.callers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.HttpCallerContract;
import dev.errand.core.delivery.OutgoingRequest;
import dev.errand.core.job.HttpMethod;
import dev.errand.testkit.Provider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HttpURLConnection against the caller contract. It keeps every case but two, which it cannot keep:
 * it has no PATCH, and it sends a GET with a body as a POST. Those are refused (unsendable) rather than
 * sent wrong, and they are why it cannot be Errand's caller however fast it is.
 */
class UrlConnectionCallerTest extends HttpCallerContract {

    @Override
    protected HttpCaller caller() {
        return new UrlConnectionCaller();
    }

    @Override
    @ParameterizedTest
    @EnumSource(value = HttpMethod.class, names = {"POST", "PUT", "PATCH", "DELETE"})
    protected void sendsTheMethodPathHeadersAndBodyAsAsked(HttpMethod method) {
        if (method != HttpMethod.PATCH) {
            super.sendsTheMethodPathHeadersAndBodyAsAsked(method);
            return;
        }
        try (Provider provider = Provider.start(call -> Provider.Reply.status(200))) {
            CallResult result = caller().call(new OutgoingRequest(provider.url(), method, Map.of(), Optional.of("{}")), Duration.ofSeconds(5));

            assertThat(result).isInstanceOfSatisfying(CallResult.NoResponse.class,
                    n -> assertThat(n.failure()).isEqualTo(CallResult.Failure.UNSENDABLE));
            assertThat(provider.calls()).isEmpty();
        }
    }

    @Override
    @Test
    protected void aGetStaysAGetWithOrWithoutABody() {
        try (Provider provider = Provider.start(call -> Provider.Reply.status(200))) {
            CallResult result = caller().call(new OutgoingRequest(provider.url(), HttpMethod.GET, Map.of(), Optional.of("{}")), Duration.ofSeconds(5));

            assertThat(result).isInstanceOfSatisfying(CallResult.NoResponse.class,
                    n -> assertThat(n.failure()).isEqualTo(CallResult.Failure.UNSENDABLE));
            assertThat(provider.calls()).isEmpty();
        }
    }
}
