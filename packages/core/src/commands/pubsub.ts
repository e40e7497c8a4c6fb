/**
 * Pub/sub commands that get one reply: PUBLISH, SPUBLISH and the PUBSUB introspection
 * subcommands. (SUBSCRIBE and its kin answer more than once; they live in
 * `@effect-valkey/pubsub`, on connections of their own.) The PUBSUB subcommands answer for
 * the node they reach; in a cluster, `@effect-valkey/pubsub` combines every node's answer.
 *
 * @since 0.1.0
 */
import type { Value } from "../Args.ts"
import * as Command from "../Command.ts"
import * as Reply from "../Reply.ts"

const CHANNEL: Command.CommandOptions = { keys: 1 }

const counts = Reply.map(Reply.text, Reply.integer)

/**
 * PUBLISH channel message: how many subscribers received it (on the node that served it; in
 * a cluster the message also reaches the other nodes' subscribers). In a cluster it goes to
 * the node owning the channel's slot.
 *
 * @since 0.1.0
 * @category pubsub
 */
export const publish = (channel: Value, message: Value): Command.Command<number> =>
  Command.make(["PUBLISH", channel, message], Reply.integer, CHANNEL)

/**
 * SPUBLISH shardchannel message: publishes to a sharded channel, served by the shard owning
 * the channel's slot; how many subscribers received it.
 *
 * @since 0.1.0
 * @category pubsub
 */
export const spublish = (channel: Value, message: Value): Command.Command<number> =>
  Command.make(["SPUBLISH", channel, message], Reply.integer, CHANNEL)

/**
 * PUBSUB CHANNELS [pattern]: the channels with at least one subscriber.
 *
 * @since 0.1.0
 * @category pubsub
 */
export const pubsubChannels = (pattern?: string): Command.Command<Array<string>> =>
  Command.make(
    pattern === undefined ? ["PUBSUB", "CHANNELS"] : ["PUBSUB", "CHANNELS", pattern],
    Reply.array(Reply.text)
  )

/**
 * PUBSUB NUMSUB [channel …]: the number of subscribers of each channel.
 *
 * @since 0.1.0
 * @category pubsub
 */
export const pubsubNumsub = (channels: ReadonlyArray<string>): Command.Command<Map<string, number>> =>
  Command.make(["PUBSUB", "NUMSUB", ...channels], counts)

/**
 * PUBSUB NUMPAT: the number of patterns subscribed to (by all clients).
 *
 * @since 0.1.0
 * @category pubsub
 */
export const pubsubNumpat = (): Command.Command<number> => Command.make(["PUBSUB", "NUMPAT"], Reply.integer)

/**
 * PUBSUB SHARDCHANNELS [pattern]: the sharded channels with at least one subscriber.
 *
 * @since 0.1.0
 * @category pubsub
 */
export const pubsubShardChannels = (pattern?: string): Command.Command<Array<string>> =>
  Command.make(
    pattern === undefined ? ["PUBSUB", "SHARDCHANNELS"] : ["PUBSUB", "SHARDCHANNELS", pattern],
    Reply.array(Reply.text)
  )

/**
 * PUBSUB SHARDNUMSUB [shardchannel …]: the number of subscribers of each sharded channel.
 *
 * @since 0.1.0
 * @category pubsub
 */
export const pubsubShardNumsub = (channels: ReadonlyArray<string>): Command.Command<Map<string, number>> =>
  Command.make(["PUBSUB", "SHARDNUMSUB", ...channels], counts)
