package dev.errand.core.delivery;

import java.time.Duration;

/** Makes one HTTP call and reports what happened; never throws for anything the network or provider does. */
public interface HttpCaller {

    CallResult call(OutgoingRequest request, Duration timeout);
}
