// SPDX-License-Identifier: Apache-2.0
/** Durable file writes shared by the parts that keep state on disk (keys, users, spool). */
package org.mailseal.fs;
