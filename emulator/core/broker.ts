/** What other services need of Pub/Sub: Monitoring publishes incidents to a channel's topic. */
export interface PubsubBroker {
  /**
   * Publishes to `projects/{p}/topics/{t}` as a publisher would. Returns the message id, or throws
   * an Error when the topic does not exist (the notification is then lost, as with Google).
   */
  publish(topic: string, data: Buffer, attributes?: Record<string, string>): string;
}
