// SPDX-License-Identifier: Apache-2.0
/**
 * The owner's dashboard: an HTTPS listener ({@link org.mailseal.web.WebServer}) with a login for
 * admin users ({@link org.mailseal.web.AdminLogin}), and server-rendered pages (overview, keys,
 * DNS, DMARC, queue) with SVG pictures made here. What the pages show and the actions they offer
 * come from a {@link org.mailseal.web.Dashboard} that the relay implements with the same operations
 * the command line uses; this package renders and guards, it never changes keys, DNS or the queue
 * by itself.
 */
package org.mailseal.web;
