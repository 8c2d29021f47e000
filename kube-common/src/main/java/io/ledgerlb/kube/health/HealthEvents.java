package io.ledgerlb.kube.health;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.ledgerlb.kube.EventRecorder;
import io.ledgerlb.kube.EventRecorder.Note;
import java.util.function.Consumer;

/**
 * A part of a process going down or working again ({@link Health.Change}), as an Event on the
 * object the process reports on (a speaker's Node, an allocator's Pod): Warning
 * {@code <Process>ComponentDown}, Normal {@code <Process>ComponentUp} ({@code SpeakerComponentDown},
 * {@code AllocatorComponentUp}), recorded with retries on the recorder's thread.
 */
public final class HealthEvents implements Consumer<Health.Change>, AutoCloseable {
    private final EventRecorder events;
    private final ObjectReference about;

    /** @param events closed with this */
    public HealthEvents(EventRecorder events, ObjectReference about) {
        this.events = events;
        this.about = about;
    }

    /** The reason of the Warning for a part of {@code process} going down. */
    public static String downReason(String process) {
        return capitalized(process) + "ComponentDown";
    }

    /** The reason of the Normal Event for a part of {@code process} working again. */
    public static String upReason(String process) {
        return capitalized(process) + "ComponentUp";
    }

    @Override
    public void accept(Health.Change change) {
        String part = change.process() + " part " + change.component();
        // keyed by part and direction: a recovery does not replace a Warning still waiting for the API server
        events.record("health/" + change.component() + (change.up() ? "/up" : "/down"), about,
                change.up() ? Note.normal(upReason(change.process()), part + " works again")
                        : Note.warning(downReason(change.process()), part + " is down: " + change.reason()));
    }

    private static String capitalized(String process) {
        return Character.toUpperCase(process.charAt(0)) + process.substring(1);
    }

    @Override
    public void close() {
        events.close();
    }
}
