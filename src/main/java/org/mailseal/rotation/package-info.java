// SPDX-License-Identifier: Apache-2.0
/**
 * Key rotation: the pure {@link org.mailseal.rotation.RotationPlanner} decides, from a domain's
 * keys, the time and what DNS shows, which {@link org.mailseal.rotation.Transition}s to make; the
 * {@link org.mailseal.rotation.Reconciler} applies them to the key store and announces the records
 * to publish or remove. The {@link org.mailseal.rotation.RotationScheduler} fires it on Quartz
 * (per-domain generation schedules, a periodic reconcile) through the {@link
 * org.mailseal.rotation.Rotator}, so a missed or doubled firing changes nothing.
 */
package org.mailseal.rotation;
