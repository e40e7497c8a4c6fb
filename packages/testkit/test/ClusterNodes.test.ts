/**
 * Parsing of CLUSTER NODES / INFO text and the even slot split.
 */
import { describe, expect, it } from "@effect/vitest"
import { ownsSlot, parseClusterNodes, parseInfo, slotRanges } from "../src/index.ts"

const sample = [
  "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected",
  "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922",
  "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [5461-<-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1] [93->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]",
  "6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005 slave,fail 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 disconnected",
  ""
].join("\n")

describe("ClusterNodes", () => {
  it("parses roles, addresses, slots and migration state", () => {
    const nodes = parseClusterNodes(sample)
    expect(nodes).toHaveLength(4)
    const [replica, primary, myself, failed] = nodes
    expect(replica).toMatchObject({
      host: "127.0.0.1",
      port: 30004,
      clusterPort: 31004,
      role: "replica",
      primaryId: "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca",
      slots: [],
      connected: true
    })
    expect(primary?.slots).toEqual([[5461, 10922]])
    expect(myself).toMatchObject({
      myself: true,
      role: "primary",
      primaryId: undefined,
      slots: [[0, 5460]],
      importing: [{ slot: 5461, from: "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1" }],
      migrating: [{ slot: 93, to: "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f" }]
    })
    expect(failed?.flags).toEqual(["slave", "fail"])
    expect(failed?.connected).toBe(false)
    expect(ownsSlot(myself!, 5460)).toBe(true)
    expect(ownsSlot(myself!, 5461)).toBe(false)
  })

  it("parses INFO sections", () => {
    expect(parseInfo("# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n")).toEqual({
      role: "slave",
      master_link_status: "up"
    })
  })

  it("splits all 16384 slots evenly without gaps", () => {
    for (const count of [1, 3, 5, 7]) {
      const ranges = slotRanges(count)
      expect(ranges[0]![0]).toBe(0)
      expect(ranges[count - 1]![1]).toBe(16383)
      for (let i = 1; i < count; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1)
    }
  })
})
