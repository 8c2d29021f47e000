package io.ledgerlb.lab;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mock API server's dispatcher that answers like the one it wraps, but late once
 * {@link #slowDown} was called: every answer's body waits that long (watches excepted, they
 * only ever wait). Stands for an API server under load.
 */
public final class SlowApiDispatcher extends Dispatcher {
    private final Dispatcher answers;
    private volatile Duration delay = Duration.ZERO;
    private final AtomicInteger delayed = new AtomicInteger();

    public SlowApiDispatcher(Dispatcher answers) {
        this.answers = answers;
    }

    /** From now on every answer waits {@code delay}; zero: answers go out at once again. */
    public void slowDown(Duration delay) {
        this.delay = delay;
    }

    /** How many answers were held back so far. */
    public int delayed() {
        return delayed.get();
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        MockResponse response = answers.dispatch(request);
        Duration wait = delay;
        String path = request.getPath() == null ? "" : request.getPath();
        if (!wait.isZero() && !path.contains("watch=true")) {
            response.setBodyDelay(wait);
            delayed.incrementAndGet();
        }
        return response;
    }

    @Override
    public void shutdown() {
        answers.shutdown();
    }
}
