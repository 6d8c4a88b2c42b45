package dev.tide.controlplane.plan;

import dev.tide.autoscaler.AutoscalerSpec;
import dev.tide.controlplane.events.EventRecorder;
import dev.tide.controlplane.serving.ReplicaSpecs;
import java.time.Duration;

/**
 * Everything the serving path needs to know about one revision, resolved once from the Revision, the Routes that send
 * it traffic and the cluster's ConfigMaps ({@link RevisionPlans}), and pushed to the scaling loop and the data plane
 * when it changes ({@link RevisionPlanner}). Nothing on the serving path reads the revision's annotations or JSON.
 *
 * @param ref                  the revision, for its Events
 * @param service              its Knative Service (its configuration when it has none)
 * @param routed               whether a Route sends it traffic
 * @param containerConcurrency the hard limit per replica, 0 for none
 * @param timeout              {@code timeoutSeconds}, or config-defaults' {@code revision-timeout-seconds} when unset or
 *                             0, capped by {@code max-revision-timeout-seconds}: bounds a request's time to its first
 *                             byte and how long a leaving replica may finish its requests
 * @param h2c                  whether its replicas speak HTTP/2 over cleartext (a container port named {@code h2c})
 * @param scaling              its autoscaler's spec, with {@code routed} as its reachability
 * @param replica              what its replicas run, or why they cannot run
 */
public record RevisionPlan(String namespace, String name, EventRecorder.Reference ref, String service, String configuration,
                           boolean routed, int containerConcurrency, Duration timeout, boolean h2c, AutoscalerSpec scaling,
                           ReplicaSpecs.Result replica) {
}
