package dev.tide.autoscaler;

import java.time.Duration;

/**
 * How a revision's decisions are bounded and how it goes to zero: the parts of the KPA that apply a decision
 * rather than make it.
 *
 * @param minScale          lower bound (ignored while unreachable)
 * @param maxScale          upper bound, 0 for none
 * @param initialScale      replicas a new revision starts with; also a lower bound until first reached
 * @param enableScaleToZero when false, a decision of 0 keeps one replica
 * @param stableWindow      how long a revision stays active with no traffic before it may go inactive
 * @param gracePeriod       {@code scale-to-zero-grace-period}: upper bound on waiting for the activator to be in the path
 * @param retentionPeriod   {@code scale-to-zero-pod-retention-period}: the last replica stays at least this long
 * @param activationTimeout progress deadline + 30 s: an activation that takes longer gives up
 */
public record ScalePolicy(int minScale, int maxScale, int initialScale, boolean enableScaleToZero, Duration stableWindow,
                          Duration gracePeriod, Duration retentionPeriod, Duration activationTimeout) {

    /** Knative's constant added to the progress deadline to make the activation timeout. */
    public static final Duration ACTIVATION_TIMEOUT_BUFFER = Duration.ofSeconds(30);
}
