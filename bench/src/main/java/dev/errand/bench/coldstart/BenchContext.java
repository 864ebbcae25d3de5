package dev.errand.bench.coldstart;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A Lambda context for one benchmark invocation; its remaining time counts down as Lambda's does. It lives
 * beside the cold-start driver so that the driver's jar, which holds only this package, has it too.
 */
public record BenchContext(long deadlineNanos, int memoryMb) implements Context {

    /** Lambda's longest timeout, so even the sequential baseline's 1,000 records finish. */
    public static final Duration LONGEST_TIMEOUT = Duration.ofMinutes(15);
    /** The template's default consumer timeout. */
    public static final Duration TEMPLATE_TIMEOUT = Duration.ofMinutes(1);
    /** The template's MemorySize. */
    public static final int MEMORY_MB = 512;

    public static BenchContext lasting(Duration timeout) {
        return new BenchContext(System.nanoTime() + timeout.toNanos(), MEMORY_MB);
    }

    @Override
    public int getRemainingTimeInMillis() {
        return (int) Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    @Override
    public String getAwsRequestId() {
        return "bench";
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/ProcessJobsFunction";
    }

    @Override
    public String getLogStreamName() {
        return "bench";
    }

    @Override
    public String getFunctionName() {
        return "ProcessJobsFunction";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:000000000000:function:ProcessJobsFunction";
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                // the benchmark keeps logs off the console
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }
}
