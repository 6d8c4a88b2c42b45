/** Replicas as Pods on Kubernetes. */
package dev.tide.runtime.kubernetes;
