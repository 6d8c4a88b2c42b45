package dev.tide.controlplane.pods;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tide.api.Json;
import dev.tide.api.Meta;
import dev.tide.api.ResourceTypes;
import dev.tide.api.serving.v1.ServingLabels;
import dev.tide.runtime.Replica;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * A replica as the {@code v1} Pod a kubelet would report for it: named and labelled as Knative's Deployment names and
 * labels its pods, with the phase, conditions and container status ({@code CrashLoopBackOff}, {@code OOMKilled}, restart
 * count, last termination) that {@code kubectl get pods} and {@code kubectl describe pod} show. Pure.
 */
final class PodObjects {

    /** The alphabet Kubernetes' generated names use (no vowels, no look-alikes). */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    static final String NODE_IP = "127.0.0.1";

    private PodObjects() {
    }

    /**
     * {@code REVISION-deployment-HASH-ID}, as a Deployment names its pods: the hash stands for the revision (its uid), the
     * suffix for the replica. Example: revision {@code hello-00001}, replica {@code hello-00001-3} gives
     * {@code hello-00001-deployment-7c9f5d8b4x-q2w8n}. {@code attempt} picks another suffix should one collide.
     */
    static String name(String revision, String revisionUid, String replicaId, int attempt) {
        return revision + "-deployment-" + encode(hash(revisionUid.isEmpty() ? revision : revisionUid), 10) + "-"
                + encode(hash(replicaId + "/" + attempt), 5);
    }

    private static long hash(String s) {
        // FNV-1a, 64 bits: spreads similar ids ("r-1", "r-2") over the whole range.
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    private static String encode(long h, int length) {
        StringBuilder b = new StringBuilder(length);
        long v = h;
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt((int) Long.remainderUnsigned(v, ALPHABET.length())));
            v = Long.divideUnsigned(v, ALPHABET.length());
        }
        return b.toString();
    }

    /** The pod of {@code pod}'s replica as it is now. */
    static ObjectNode pod(PodView.Record pod, String node) {
        Replica r = pod.replica();
        JsonNode revision = pod.revision();
        JsonNode container = revision.path("spec").path("containers").path(0);
        String containerName = containerName(container);
        ObjectNode obj = Json.object();
        obj.put("apiVersion", "v1").put("kind", "Pod");
        ObjectNode meta = obj.putObject("metadata");
        meta.put("name", pod.name()).put("namespace", r.namespace())
                .put("uid", UUID.nameUUIDFromBytes((Meta.uid(revision) + "/" + r.id()).getBytes(StandardCharsets.UTF_8)).toString())
                .put("creationTimestamp", time(pod.created()));
        if (pod.deleted() != null) {
            meta.put("deletionTimestamp", time(pod.deleted()));
            meta.put("deletionGracePeriodSeconds", revision.path("spec").path("timeoutSeconds").asLong(300));
        }
        ObjectNode labels = meta.putObject("labels");
        Meta.labels(revision).forEach(labels::put);
        labels.put(ServingLabels.REVISION, r.revision()).put("serving.knative.dev/revisionUID", Meta.uid(revision))
                .put("app", r.revision());
        meta.putObject("annotations").put("tide.dev/replica", r.id());
        if (!Meta.uid(revision).isEmpty()) {
            meta.putArray("ownerReferences").addObject().put("apiVersion", ResourceTypes.REVISION.apiVersion())
                    .put("kind", ResourceTypes.REVISION.kind()).put("name", r.revision()).put("uid", Meta.uid(revision))
                    .put("controller", true).put("blockOwnerDeletion", true);
        }
        ObjectNode spec = obj.putObject("spec");
        ObjectNode c = spec.putArray("containers").addObject();
        c.put("name", containerName).put("image", container.path("image").asText(""));
        for (String f : new String[] {"command", "args", "resources", "workingDir"}) {
            if (container.has(f)) {
                c.set(f, container.get(f));
            }
        }
        c.putArray("ports").addObject().put("name", "user-port").put("containerPort", r.port()).put("protocol", "TCP");
        spec.put("nodeName", node).put("restartPolicy", "Always")
                .put("terminationGracePeriodSeconds", revision.path("spec").path("timeoutSeconds").asLong(300));
        obj.set("status", status(pod, containerName, container.path("image").asText("")));
        return obj;
    }

    private static String containerName(JsonNode container) {
        String n = container.path("name").asText("");
        return n.isEmpty() ? "user-container" : n;
    }

    private static ObjectNode status(PodView.Record pod, String containerName, String image) {
        Replica r = pod.replica();
        boolean ready = r.state() == Replica.State.READY;
        ObjectNode status = Json.object();
        boolean pending = r.state() == Replica.State.PENDING;
        status.put("phase", pending ? "Pending" : "Running");
        ArrayNode conditions = status.putArray("conditions");
        String created = time(pod.created());
        String readyAt = time(pod.readyChanged());
        condition(conditions, "PodReadyToStartContainers", true, created);
        condition(conditions, "Initialized", true, created);
        ObjectNode readyCondition = condition(conditions, "Ready", ready, readyAt);
        ObjectNode containersReady = condition(conditions, "ContainersReady", ready, readyAt);
        if (!ready) {
            for (ObjectNode n : new ObjectNode[] {readyCondition, containersReady}) {
                n.put("reason", "ContainersNotReady").put("message", "containers with unready status: [" + containerName + "]");
            }
        }
        ObjectNode scheduled = condition(conditions, "PodScheduled", !pending, created);
        if (pending) {
            scheduled.put("reason", "Unschedulable").put("message", String.join("; ", r.lastOutput()));
        }
        status.put("hostIP", NODE_IP).put("podIP", r.host());
        status.putArray("hostIPs").addObject().put("ip", NODE_IP);
        status.putArray("podIPs").addObject().put("ip", r.host());
        status.put("startTime", created);
        ObjectNode cs = status.putArray("containerStatuses").addObject();
        cs.put("name", containerName).put("image", image).put("imageID", "")
                .put("ready", ready).put("restartCount", r.restarts()).put("started", r.state() != Replica.State.CRASHED);
        if (r.pid() > 0 && r.state() != Replica.State.CRASHED) {
            cs.put("containerID", "process://" + r.pid());
        }
        ObjectNode state = cs.putObject("state");
        if (r.state() == Replica.State.CRASHED) {
            state.putObject("waiting").put("reason", "CrashLoopBackOff").put("message",
                    "back-off restarting failed container " + containerName + " in pod " + pod.name());
        } else if (pending) {
            state.putObject("waiting"); // not placed: no container has started, and STATUS says the phase, Pending
        } else {
            state.putObject("running").put("startedAt", time(pod.started()));
        }
        ObjectNode last = cs.putObject("lastState");
        Replica.Termination t = r.lastTermination();
        if (t != null) {
            ObjectNode term = last.putObject("terminated");
            term.put("exitCode", t.exitCode()).put("reason", t.reason());
            if (!t.message().isEmpty()) {
                term.put("message", t.message());
            }
            // Waiting to restart, the process that ended is the current one; once restarted, the one before.
            java.time.Instant lastStart = r.state() == Replica.State.CRASHED ? pod.started() : pod.previousStarted();
            if (lastStart != null) {
                term.put("startedAt", time(lastStart));
            }
            if (pod.finished() != null) {
                term.put("finishedAt", time(pod.finished()));
            }
        }
        return status;
    }

    private static ObjectNode condition(ArrayNode conditions, String type, boolean status, String at) {
        ObjectNode c = conditions.addObject();
        c.put("type", type).put("status", status ? "True" : "False").putNull("lastProbeTime").put("lastTransitionTime", at);
        return c;
    }

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
