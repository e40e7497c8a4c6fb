/**
 * A node's own account of itself, from the `myself` line of its `CLUSTER NODES`: whether it
 * is a primary, its config epoch, the slots it serves, and the slots it is migrating or
 * importing. The cluster scan compares two of these, taken before and after a pass over the
 * node, to know whether the pass saw every key of a slot.
 *
 * @since 0.1.0
 */
import { Command, Reply } from "@effect-valkey/core"

/**
 * @since 0.1.0
 * @category models
 */
export interface NodeView {
  readonly primary: boolean
  readonly epoch: string
  /** A bitmap of the 16384 slots: 1 when the node serves the slot. */
  readonly owned: Uint8Array
  /** Slots with a migration in progress on this node (either direction). */
  readonly moving: ReadonlySet<number>
}

/**
 * `CLUSTER NODES` decoded to the view of the node that answered.
 *
 * @since 0.1.0
 * @category commands
 */
export const command: Command.Command<NodeView> = Command.make(
  ["CLUSTER", "NODES"],
  (reply) => {
    const line = Reply.text(reply)
      .split("\n")
      .find((l) => l.split(" ")[2]?.split(",").includes("myself"))
    if (line === undefined) throw new Command.DecodeFailure("CLUSTER NODES has no myself line")
    const [, , flags = "", , , , epoch = "", , ...slots] = line.trim().split(" ")
    const owned = new Uint8Array(16384)
    const moving = new Set<number>()
    for (const token of slots) {
      if (token.startsWith("[")) {
        moving.add(Number(token.slice(1, token.indexOf("-"))))
        continue
      }
      const dash = token.indexOf("-")
      const start = Number(dash === -1 ? token : token.slice(0, dash))
      const end = Number(dash === -1 ? token : token.slice(dash + 1))
      owned.fill(1, start, end + 1)
    }
    const flagList = flags.split(",")
    return { primary: flagList.includes("master") || flagList.includes("primary"), epoch, owned, moving }
  },
  { readonly: true }
)
