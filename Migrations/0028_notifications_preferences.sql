-- NT-2: the consumer chooses, per kind of message, SMS, email or both. No row: SMS.
CREATE TABLE notification_preferences (
    user_id bigint  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    text    NOT NULL CHECK (kind IN ('new_bill', 'due_reminder', 'payment_receipt', 'dispute', 'abnormal_use')),
    sms     boolean NOT NULL,
    email   boolean NOT NULL,
    CHECK (sms OR email),
    PRIMARY KEY (user_id, kind)
);
