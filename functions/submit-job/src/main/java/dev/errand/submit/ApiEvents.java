package dev.errand.submit;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.errand.core.api.ApiRequest;
import dev.errand.core.api.ApiResponse;
import dev.errand.core.record.IdempotencyKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** API Gateway's HTTP API events (payload format 2.0) to the core's requests, and responses back. */
final class ApiEvents {

    private ApiEvents() {}

    static ApiRequest request(APIGatewayV2HTTPEvent event) {
        String body = Optional.ofNullable(event.getBody()).orElse("");
        String text = event.getIsBase64Encoded()
                ? new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8)
                : body;
        return new ApiRequest(
                Optional.ofNullable(event.getRouteKey()).orElse(""),
                Optional.ofNullable(event.getHeaders()).orElse(Map.of()),
                Optional.ofNullable(event.getPathParameters()).orElse(Map.of()),
                text,
                caller(event),
                Optional.ofNullable(event.getQueryStringParameters()).orElse(Map.of()));
    }

    static APIGatewayV2HTTPResponse response(ApiResponse response) {
        return APIGatewayV2HTTPResponse.builder()
                .withStatusCode(response.status())
                .withHeaders(response.headers())
                .withBody(response.body())
                .withIsBase64Encoded(false)
                .build();
    }

    /** The IAM principal when the route uses AWS_IAM auth: Idempotency-Keys are scoped to it. */
    static String caller(APIGatewayV2HTTPEvent event) {
        return Optional.ofNullable(event.getRequestContext())
                .map(APIGatewayV2HTTPEvent.RequestContext::getAuthorizer)
                .map(APIGatewayV2HTTPEvent.RequestContext.Authorizer::getIam)
                .map(iam -> Optional.ofNullable(iam.getUserArn()).orElse(Optional.ofNullable(iam.getCallerId()).orElse("")))
                .filter(principal -> !principal.isBlank())
                .orElse(IdempotencyKey.ANONYMOUS);
    }
}
