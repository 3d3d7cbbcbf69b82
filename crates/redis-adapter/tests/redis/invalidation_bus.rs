//! Both invalidation buses: messages reach every subscription (across "replicas" for
//! Redis: two buses on one Redis), and a Redis bus that lost its connection says
//! `MayHaveMissed`, resubscribes and delivers again.

use std::time::Duration;

use crate::support::{OwnRedis, redis_url, unique_prefix};
use kcost_ports::{InvalidationBus, InvalidationEvent, InvalidationSubscription};
use kcost_redis_adapter::{
    InProcessInvalidationBus, RedisCache, RedisInvalidationBus, RedisOptions,
};

const WAIT: Duration = Duration::from_secs(5);

async fn next(subscription: &mut Box<dyn InvalidationSubscription>) -> Option<InvalidationEvent> {
    tokio::time::timeout(WAIT, subscription.next())
        .await
        .expect("an event within 5 s")
}

/// Reads until `message` arrives, skipping `MayHaveMissed` notices (connection events)
/// and the pings of [`wait_until_subscribed`].
async fn receives(subscription: &mut Box<dyn InvalidationSubscription>, message: &str) {
    loop {
        match next(subscription).await {
            Some(InvalidationEvent::Message(text)) if text == message => return,
            Some(InvalidationEvent::MayHaveMissed) => {}
            Some(InvalidationEvent::Message(text)) if text == "ping" => {}
            other => panic!("expected {message}, got {other:?}"),
        }
    }
}

async fn redis_bus(options: &RedisOptions) -> RedisInvalidationBus {
    let cache = RedisCache::connect(options.clone()).await.unwrap();
    RedisInvalidationBus::start(options, cache, "invalidations").unwrap()
}

/// Publishes until `subscription` has seen a message: the receiving connection may still
/// be subscribing when a test starts.
async fn wait_until_subscribed(
    bus: &dyn InvalidationBus,
    subscription: &mut Box<dyn InvalidationSubscription>,
) {
    let started = std::time::Instant::now();
    loop {
        let _ = bus.publish("ping").await;
        let event = tokio::time::timeout(Duration::from_millis(200), subscription.next()).await;
        if matches!(event, Ok(Some(InvalidationEvent::Message(_)))) {
            break;
        }
        assert!(started.elapsed() < WAIT, "subscribed within 5 s");
    }
    // Drain the pings still in flight.
    while let Ok(Some(_)) =
        tokio::time::timeout(Duration::from_millis(300), subscription.next()).await
    {}
}

#[tokio::test]
async fn the_in_process_bus_delivers_to_every_subscription() {
    let bus = InProcessInvalidationBus::default();
    let mut first = bus.subscribe();
    let mut second = bus.subscribe();
    bus.publish("apikey:1").await.unwrap();
    receives(&mut first, "apikey:1").await;
    receives(&mut second, "apikey:1").await;
}

#[tokio::test]
async fn a_message_reaches_both_replicas_sharing_one_redis() {
    let options = crate::support::options(&redis_url());
    let (a, b) = (redis_bus(&options).await, redis_bus(&options).await);
    let (mut on_a, mut on_b) = (a.subscribe(), b.subscribe());
    wait_until_subscribed(&a, &mut on_a).await;
    wait_until_subscribed(&a, &mut on_b).await;

    a.publish("apikey:42").await.unwrap();
    receives(&mut on_b, "apikey:42").await;
    receives(&mut on_a, "apikey:42").await;

    // Another prefix is another deployment: it hears nothing.
    let other = redis_bus(&crate::support::options(&redis_url())).await;
    let mut on_other = other.subscribe();
    wait_until_subscribed(&other, &mut on_other).await;
    a.publish("apikey:43").await.unwrap();
    receives(&mut on_b, "apikey:43").await;
    assert!(
        tokio::time::timeout(Duration::from_millis(300), on_other.next())
            .await
            .is_err()
    );

    a.close().await;
    assert_eq!(next(&mut a.subscribe()).await, None, "closed");
}

#[tokio::test]
async fn after_a_redis_restart_subscribers_hear_may_have_missed_and_messages_again() {
    let mut redis = OwnRedis::start();
    let options =
        RedisOptions::new(redis.url(), Duration::from_millis(250)).with_key_prefix(unique_prefix());
    let (a, b) = (redis_bus(&options).await, redis_bus(&options).await);
    let mut on_b = b.subscribe();
    wait_until_subscribed(&a, &mut on_b).await;

    redis.stop();
    assert!(a.publish("lost").await.is_err(), "Redis is down");
    let _restarted = OwnRedis::start_on(redis.port);

    assert_eq!(
        next(&mut on_b).await,
        Some(InvalidationEvent::MayHaveMissed)
    );
    wait_until_subscribed(&a, &mut on_b).await;
    a.publish("apikey:after").await.unwrap();
    receives(&mut on_b, "apikey:after").await;
}
