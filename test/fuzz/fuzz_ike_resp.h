/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_ike_resp.h - the input format of fuzz_ike_resp, shared with the program that
 * writes its seeds (gen_ike_resp.c).
 *
 * An input is up to IKE_RESP_DGRAMS_MAX records, each: flags (1 octet), length (2 octets,
 * big-endian; cut to what is left of the input) and that many octets of IKE message. The flags
 * say how the harness sends the message and what it fills in from the hub's state before
 * sending, so that inputs reach past IKE_SA_INIT although the hub picks its SPI, nonce and keys
 * at random (fuzz_ike_resp.c describes each).
 */
#ifndef VPNHUB_TEST_FUZZ_IKE_RESP_H
#define VPNHUB_TEST_FUZZ_IKE_RESP_H

#define IKE_RESP_DGRAMS_MAX 8

#define IKE_RESP_F_NATT	    0x01 /* to port 4500, behind the non-ESP marker (RFC 3948 2.2) */
#define IKE_RESP_F_V6	    0x02 /* from the IPv6 peer to the hub's IPv6 address */
#define IKE_RESP_F_SPI	    0x04 /* responder SPI := the hub's SPI of this initiator SPI */
#define IKE_RESP_F_MSGID    0x08 /* message ID := the next one that SA expects (2.3) */
#define IKE_RESP_F_SEAL	    0x10 /* the octets after the header are the inner payloads: seal them */
#define IKE_RESP_F_AUTH	    0x20 /* with SEAL: AUTH := what the peer's key gives (2.15) */
#define IKE_RESP_F_SPORT    0x40 /* from another source port (a NAT rebinding, 2.23) */

#endif
