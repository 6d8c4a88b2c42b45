package dev.tide.controlplane.serving;

import dev.tide.api.resources.LocalLimits;

/**
 * Where replicas can run, found once when Tide starts: on this machine (and which limits hold there), and on a
 * Kubernetes cluster when Tide has one ({@code --kubeconfig}). A container with a command runs locally; one with only an
 * image runs on the cluster, or cannot run without one.
 *
 * @param local   which container limits local replicas are held to
 * @param cluster whether Tide has a cluster to run image-only containers on
 */
public record Placement(LocalLimits local, boolean cluster) {

    /** This machine only, limits measured: for tests of everything else. */
    public static final Placement LOCAL = new Placement(LocalLimits.MEASURED, false);
}
