package io.ledgerlb.speaker;

/**
 * {@link BgpSpeakerEndToEndTest} with the speaker started as shipped: the shaded jar with
 * {@code java -jar} on the image's jlink'd runtime (failsafe passes both paths), so a model class,
 * a service file or a JDK module the shade or jlink left out fails here.
 */
class SpeakerJarEndToEndIT extends BgpSpeakerEndToEndTest {
}
